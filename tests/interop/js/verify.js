// Verifies credentials with Digital Bazaar's vc library (the verifier DCC's VerifierPlus and LCW build on).
// stdin: {"contexts": {url: file}, "documents": {did or url: document}, "credentials": [...], "now": iso date}
// stdout: a JSON array with, per credential, {"verified": bool, "errors": [messages]}.
// Only the proof and the issuer binding are DB's to check here: vetcred checks status lists itself, so a
// credentialStatus entry is accepted as is.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {cryptosuite as eddsa2022} from '@digitalbazaar/eddsa-2022-cryptosuite';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {offlineLoader, readRequest} from './offline-loader.js';

const request = await readRequest();
const documentLoader = offlineLoader(request);
const suite = [
  new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
  new DataIntegrityProof({cryptosuite: eddsa2022}),
  new Ed25519Signature2020()
];
const results = [];
for(const credential of request.credentials) {
  const result = await vc.verifyCredential({
    credential, suite, documentLoader, now: new Date(request.now),
    checkStatus: async () => ({verified: true})
  });
  const errors = [result.error, ...(result.results || []).map(r => r.error)]
    .filter(Boolean).flatMap(e => e.errors || [e]).map(e => String(e.message || e));
  results.push({verified: result.verified, errors});
}
process.stdout.write(JSON.stringify(results));
