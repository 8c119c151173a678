// Package account holds the emergency account itself: the breakglass_account resource, the ephemeral
// breakglass_password, and the password generator and validators both share.
//
// Users and domains are its objects, so it also owns what other areas read about them: the permissions to read
// users and domains (PermUserRead, PermDomainRead) and what a read of a user showed (RememberUserFitness, read by
// breakglass_pim_permanent_assignment). It does not assign roles or touch Conditional Access.
package account
