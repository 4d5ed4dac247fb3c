"""Staff accounts of the console: roles, passwords, sessions, invitations, lock-out, second factor, single sign-on."""
