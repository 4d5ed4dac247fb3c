// The Learner Credential Wallet's side of a VC-API exchange, as its source runs it (app/lib/deepLink.ts,
// app/lib/exchanges.ts handleVcApiExchangeComplete, app/screens/ExchangeCredentials): read the deep link's `request`
// parameter, POST {} to its protocols.vcapi URL, answer a DIDAuthentication query with a presentation signed by the
// wallet's did:key (Digital Bazaar's vc createPresentation + signPresentation: proofPurpose authentication, the
// request's challenge and domain), POST it to interact.service[0].serviceEndpoint, and take
// verifiablePresentation.verifiableCredential[0] from the answer.
// stdin: {"contexts": {url: file}, "deepLink": "dccrequest://request?request=...",
//   "suite": "Ed25519Signature2020" | "eddsa-rdfc-2022", "seed": hex (the wallet's key), "version": 1 | 2,
//   "signSeed": optional hex (sign with another key, still naming the seed's DID as holder),
//   "challenge", "domain": optional overrides of what the request asked, "replay": post the same presentation twice}
// stdout: {"did", "request": <the VPR>, "answer": {"status", "body"}, "replayed": {"status", "body"} | null}
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {offlineLoader, readRequest} from './offline-loader.js';

async function didOf(seed) {
  const key = await Ed25519Multikey.generate({seed: Uint8Array.from(Buffer.from(seed, 'hex'))});
  return {did: `did:key:${key.publicKeyMultibase}`, fingerprint: key.publicKeyMultibase};
}

async function suiteFor(name, seed) {
  const seedBytes = Uint8Array.from(Buffer.from(seed, 'hex'));
  const {did, fingerprint} = await didOf(seed);
  const id = `${did}#${fingerprint}`;
  if(name === 'Ed25519Signature2020') {
    // As LCW: Ed25519VerificationKey2020.from(the DID record's key) and new Ed25519Signature2020({key}).
    const key = await Ed25519VerificationKey2020.generate({seed: seedBytes, controller: did, id});
    return new Ed25519Signature2020({key});
  }
  const signer = (await Ed25519Multikey.generate({seed: seedBytes, controller: did, id})).signer();
  return new DataIntegrityProof({signer, cryptosuite: eddsaRdfc2022});
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body, null, 2)
  });
  return {status: response.status, body: await response.json()};
}

const input = await readRequest();
const documentLoader = offlineLoader({contexts: input.contexts});
// deepLink.ts: the `request` query parameter, JSON, with protocols.vcapi.
const request = JSON.parse(new URLSearchParams(input.deepLink.split('?')[1]).get('request'));
if(!request.credentialRequestOrigin || !request.protocols?.vcapi) {
  throw new Error('not a CHAPI-style credential request: ' + JSON.stringify(request));
}
const url = request.protocols.vcapi;
const first = await post(url, {});
if(first.status !== 200 || !first.body.verifiablePresentationRequest) {
  throw new Error(`the exchange did not ask for a presentation: ${JSON.stringify(first)}`);
}
const vpr = first.body.verifiablePresentationRequest;
const queries = Array.isArray(vpr.query) ? vpr.query : [vpr.query];
if(!queries.some(q => q.type === 'DIDAuthentication' || q.type === 'DIDAuth')) {
  throw new Error(`no DIDAuthentication query: ${JSON.stringify(vpr)}`);
}
const {did} = await didOf(input.seed);
const presentation = vc.createPresentation({holder: did, version: input.version === 1 ? 1.0 : 2.0});
const signed = await vc.signPresentation({
  presentation,
  suite: await suiteFor(input.suite, input.signSeed ?? input.seed),
  challenge: input.challenge ?? vpr.challenge,
  domain: input.domain ?? vpr.domain,
  documentLoader
});
const next = vpr.interact?.service[0]?.serviceEndpoint ?? url;
const answer = await post(next, {verifiablePresentation: signed});
const replayed = input.replay ? await post(next, {verifiablePresentation: signed}) : null;
process.stdout.write(JSON.stringify({did, request: vpr, answer, replayed}));
