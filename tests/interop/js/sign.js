// Signs credentials with Digital Bazaar's suites, for fixed test vectors (Ed25519 is deterministic).
// stdin: {"contexts": {url: file}, "jobs": [{"suite", "seed" (hex), "created", "credential"}]}
// suite: "Ed25519Signature2020" | "eddsa-rdfc-2022" | "eddsa-2022" | "eddsa-2022-legacy-context"
// stdout: a JSON array with, per job, the signed credential as the exact text of its vector file.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {cryptosuite as eddsa2022} from '@digitalbazaar/eddsa-2022-cryptosuite';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import {offlineLoader, readRequest} from './offline-loader.js';

const {purposes: {AssertionProofPurpose}} = jsigs;

async function suiteFor({suite, seed, created}) {
  const seedBytes = Uint8Array.from(Buffer.from(seed, 'hex'));
  const multikey = await Ed25519Multikey.generate({seed: seedBytes});
  const controller = `did:key:${multikey.publicKeyMultibase}`;
  if(suite === 'Ed25519Signature2020') {
    const key = await Ed25519VerificationKey2020.generate({seed: seedBytes, controller});
    return new Ed25519Signature2020({key, date: created});
  }
  const signer = (await Ed25519Multikey.generate({seed: seedBytes, controller})).signer();
  const cryptosuite = {'eddsa-rdfc-2022': eddsaRdfc2022, 'eddsa-2022': eddsa2022,
    'eddsa-2022-legacy-context': eddsa2022}[suite];
  if(!cryptosuite) {
    throw new Error(`unknown suite ${suite}`);
  }
  const legacyContext = suite === 'eddsa-2022-legacy-context';
  return new DataIntegrityProof({signer, date: created, cryptosuite, legacyContext});
}

const request = await readRequest();
const documentLoader = offlineLoader({contexts: request.contexts});
const signed = [];
for(const job of request.jobs) {
  const suite = await suiteFor(job);
  const document = await jsigs.sign(structuredClone(job.credential), {
    suite, purpose: new AssertionProofPurpose(), documentLoader, addSuiteContext: false
  });
  signed.push(JSON.stringify(document, null, 2) + '\n');
}
process.stdout.write(JSON.stringify(signed));
