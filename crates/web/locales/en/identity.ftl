# Identity pages and messages.
sso-or = Or with your work account
sso-sign-in-with = Sign in with
sso-refused-title = Sign-in refused
sso-back-to-login = Back to the sign-in page
sso-refused-state = This sign-in request is unknown, was already used or has expired. Start again from the Relais sign-in page.
sso-refused-provider = The identity provider cannot be reached or is misconfigured. Try again later or sign in with your password.
sso-refused-provider-error = The identity provider did not confirm your sign-in. Start again from the sign-in page.
sso-refused-exchange = The identity provider's answer could not be validated (code already used or invalid). Start again from the sign-in page.
sso-refused-id-token = The provider's ID token failed the security checks (signature, issuer, audience, validity or nonce). No account was opened.
sso-refused-acr = The authentication level provided is not enough for Relais.
sso-refused-userinfo = The identity information sent by the provider is incomplete or inconsistent.
sso-refused-unknown-organisation = Your organisation is not a member or is not recognised by Relais: no account was created. If your institution is a member, ask its referent to invite you or the agency to declare its SIRET or mail domain.
sso-refused-inactive = Your account exists but is not active yet: your institution's referent must approve it.
