"""Security: TLS settings, authentication, per-subject authorization and the audit trail.

One module per responsibility, none importing the others' libraries:

* `settings`: the server's TLS files and auth config path (a frozen value);
* `access`: what a route needs (`Access`), declared next to each route;
* `principals`: principal names and the credentials of a request;
* `passwords`: users' argon2id hashes (argon2-cffi lives only here);
* `tokens`: bearer JWTs (pyjwt lives only here);
* `acl`: the `[[acl]]` entries and their decisions;
* `memo`: credentials already verified, under a keyed hash;
* `config`: the TOML auth config and its reloading;
* `authentication`: a request's principal;
* `audit`: the `cairn.audit` logger;
* `gate`: the ASGI wrapper that applies all of it.

This module imports none of them: `registry.http.routing` imports `access`, and the gate
imports the HTTP layer.
"""
