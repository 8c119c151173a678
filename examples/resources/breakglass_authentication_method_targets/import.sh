# The import id encodes what the resource manages: the method, the user ids (sorted, comma-separated) and the group
# id, empty parts left out.
terraform import breakglass_authentication_method_targets.passkeys 'method=fido2;users=00000000-0000-0000-0000-0000000000a1,00000000-0000-0000-0000-0000000000a2'

terraform import breakglass_authentication_method_targets.certificates 'method=x509_certificate;group=00000000-0000-0000-0000-0000000000ee'
