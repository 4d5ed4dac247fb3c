// A learner's wallet answering an employer's OpenID4VP 1.0 request, built on OpenWallet Foundation's oid4vc-ts
// (@openid4vc/openid4vp: parse and resolve the request, check its client identifier, build and submit the
// direct_post response) and its DCQL library (dcql: which held credentials the query matches, by their type IRIs
// after JSON-LD expansion, as Appendix B.1.3.2 defines). The presentation of each matching credential is signed by
// Digital Bazaar's vc library (eddsa-rdfc-2022, proofPurpose authentication) with challenge = the request's nonce
// and domain = its client_id.
// stdin: {"contexts": {url: file}, "request": "openid4vp://?...", "seed": hex (the wallet's key),
//   "credentials": [<credentials the wallet holds>], "decline": optional (answer error=access_denied),
//   "challenge", "domain": optional overrides of what the request asked, "signSeed": sign with another key,
//   "tamper": optional index of a presentation whose credential is altered after signing, "replay": submit twice}
// stdout: {"did", "request": <the resolved request>, "matched": [indexes of the held credentials sent],
//   "answer": {"status", "body"}, "replayed": {"status", "body"} | null}
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {Openid4vpClient} from '@openid4vc/openid4vp';
import {setGlobalConfig} from '@openid4vc/utils';
import {DcqlQuery} from 'dcql';
import jsonld from 'jsonld';
import {offlineLoader, readRequest} from './offline-loader.js';

// The test server listens on http://127.0.0.1 (a production verifier is https).
setGlobalConfig({allowInsecureUrls: true});

const input = await readRequest();
const documentLoader = offlineLoader({contexts: input.contexts});

async function keyOf(seed) {
  const bytes = Uint8Array.from(Buffer.from(seed, 'hex'));
  const key = await Ed25519Multikey.generate({seed: bytes});
  const did = `did:key:${key.publicKeyMultibase}`;
  const signing = await Ed25519Multikey.generate({seed: bytes, controller: did, id: `${did}#${key.publicKeyMultibase}`});
  return {did, signer: signing.signer()};
}

// The fully expanded type IRIs of a credential: what DCQL's type_values name.
async function expandedTypes(credential) {
  const [expanded] = await jsonld.expand(credential, {documentLoader, safe: true});
  return expanded['@type'];
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body
  });
  const text = await response.text();
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = text; }
  return {status: response.status, body: parsed};
}

const client = new Openid4vpClient({callbacks: {fetch}});
const parsed = client.parseOpenid4vpAuthorizationRequest({authorizationRequest: input.request});
const resolved = await client.resolveOpenId4vpAuthorizationRequest({authorizationRequestPayload: parsed.params});
const request = resolved.authorizationRequestPayload;
if(!resolved.dcql) {
  throw new Error('the request carries no DCQL query');
}
const query = DcqlQuery.parse(resolved.dcql.query);
DcqlQuery.validate(query);

const {did} = await keyOf(input.seed);
const held = await Promise.all(input.credentials.map(async credential => ({
  credential_format: 'ldp_vc',
  type: await expandedTypes(credential),
  claims: credential,
  cryptographic_holder_binding: true
})));
const result = DcqlQuery.query(query, held);
let payload;
let matched = [];
if(input.decline) {
  payload = {error: 'access_denied', error_description: 'The learner declined'};
} else {
  if(!result.can_be_satisfied) {
    throw new Error(`the held credentials do not satisfy the query: ${JSON.stringify(result)}`);
  }
  const {signer} = await keyOf(input.signSeed ?? input.seed);
  const vpToken = {};
  for(const [queryId, match] of Object.entries(result.credential_matches)) {
    const presentations = [];
    for(const valid of match.valid_credentials) {
      matched.push(valid.input_credential_index);
      const presentation = vc.createPresentation({
        verifiableCredential: [input.credentials[valid.input_credential_index]], holder: did, version: 2.0
      });
      presentations.push(await vc.signPresentation({
        presentation,
        suite: new DataIntegrityProof({signer, cryptosuite: eddsaRdfc2022}),
        challenge: input.challenge ?? request.nonce,
        domain: input.domain ?? request.client_id,
        documentLoader
      }));
    }
    vpToken[queryId] = presentations;
  }
  if(input.tamper !== undefined) {
    const [first] = Object.values(vpToken);
    first[input.tamper].verifiableCredential[0].credentialSubject.achievement.name += ' (altered)';
  }
  payload = {vp_token: vpToken};
}
const {authorizationResponsePayload} = await client.createOpenid4vpAuthorizationResponse({
  authorizationRequestPayload: request, authorizationResponsePayload: payload
});
const submitted = await client.submitOpenid4vpAuthorizationResponse({
  authorizationRequestPayload: request, authorizationResponsePayload
});
const answer = {status: submitted.response.status, body: await submitted.response.json().catch(() => null)};
let replayed = null;
if(input.replay) {
  const form = new URLSearchParams();
  for(const [name, value] of Object.entries(authorizationResponsePayload)) {
    form.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  replayed = await post(request.response_uri, form.toString());
}
process.stdout.write(JSON.stringify({did, request, matched, answer, replayed}));
