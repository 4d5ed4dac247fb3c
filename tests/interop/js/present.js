// A holder presents credentials with Digital Bazaar's @digitalbazaar/vc (createPresentation, signPresentation):
// an authentication proof over a VC 2.0 or 1.1 presentation, with the verifier's challenge and domain.
// stdin: {"contexts": {url: file}, "jobs": [{
//   "suite": "eddsa-rdfc-2022" | "Ed25519Signature2020", "seed": hex (the key that signs),
//   "verificationMethod": optional (default: the did:key of that key), "holder": optional (default: its DID),
//   "version": 2 | 1, "credentials": [...], "challenge" (null: none), "domain", "created"}]}
// stdout: a JSON array with, per job, {"presentation": <signed>, "did": <did:key of the signing key>}.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import {offlineLoader, readRequest} from './offline-loader.js';

const {purposes: {ControllerProofPurpose}} = jsigs;

async function suiteFor({suite, seed, verificationMethod, created}) {
  const seedBytes = Uint8Array.from(Buffer.from(seed, 'hex'));
  const own = await Ed25519Multikey.generate({seed: seedBytes});
  const did = `did:key:${own.publicKeyMultibase}`;
  const id = verificationMethod ?? `${did}#${own.publicKeyMultibase}`;
  const controller = id.split('#')[0];
  if(suite === 'Ed25519Signature2020') {
    const key = await Ed25519VerificationKey2020.generate({seed: seedBytes, controller, id});
    return {did, controller, suite: new Ed25519Signature2020({key, date: created})};
  }
  if(suite !== 'eddsa-rdfc-2022') {
    throw new Error(`unknown suite ${suite}`);
  }
  const signer = (await Ed25519Multikey.generate({seed: seedBytes, controller, id})).signer();
  return {did, controller, suite: new DataIntegrityProof({signer, date: created, cryptosuite: eddsaRdfc2022})};
}

const request = await readRequest();
const documentLoader = offlineLoader({contexts: request.contexts});
const presented = [];
for(const job of request.jobs) {
  const {did, controller, suite} = await suiteFor(job);
  const presentation = vc.createPresentation({
    verifiableCredential: job.credentials,
    holder: job.holder === undefined ? controller : job.holder ?? undefined,
    version: job.version === 1 ? 1.0 : 2.0,
    now: job.created
  });
  // signPresentation insists on a challenge; a wallet that leaves it out signs for "authentication" all the same.
  const purpose = job.challenge ? undefined : new ControllerProofPurpose({term: 'authentication'});
  const signed = await vc.signPresentation({
    presentation, suite, purpose, challenge: job.challenge, domain: job.domain, documentLoader
  });
  presented.push({presentation: signed, did});
}
process.stdout.write(JSON.stringify(presented));
