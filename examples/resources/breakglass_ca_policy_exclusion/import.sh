# The import id encodes the inputs: ids sorted and comma-separated, empty parts left out.
terraform import breakglass_ca_policy_exclusion.listed 'groups=00000000-0000-0000-0000-0000000000ee;policies=00000000-0000-0000-0000-0000000000aa,00000000-0000-0000-0000-0000000000bb'

terraform import breakglass_ca_policy_exclusion.emergency 'users=<id1>,<id2>;match=grant_controls;report_only=true;disabled=false;except=00000000-0000-0000-0000-0000000000cc'
