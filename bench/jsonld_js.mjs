// Digital Bazaar's jsonld.js stack signing and verifying one credential, for bench/sign.py (same credential, same key).
// Uses the npm packages pinned in tests/interop/js (npm ci --prefix tests/interop/js).
// argv[2]: a JSON file {"contexts": {url: file}, "documents": {did: DID document}, "seed": hex, "verificationMethod",
//   "credential": unsigned credential}.
// Then one JSON command per stdin line, {"op": "sign" | "verify", "n": count}; answers one JSON line per command:
// {"seconds": [per operation]}. Every verification must succeed (else it exits with an error).
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {createInterface} from 'node:readline';
import {fileURLToPath, pathToFileURL} from 'node:url';

const js = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'interop', 'js');
const require = createRequire(join(js, 'package.json'));
const load = async name => import(pathToFileURL(require.resolve(name)).href);

const vc = await load('@digitalbazaar/vc');
const {DataIntegrityProof} = await load('@digitalbazaar/data-integrity');
const {cryptosuite} = await load('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');
const Ed25519Multikey = await load('@digitalbazaar/ed25519-multikey');
const {offlineLoader} = await import(pathToFileURL(join(js, 'offline-loader.js')).href);

const setup = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const documentLoader = offlineLoader(setup);
const key = await Ed25519Multikey.generate({
  seed: Uint8Array.from(Buffer.from(setup.seed, 'hex')),
  id: setup.verificationMethod,
  controller: setup.verificationMethod.split('#')[0]
});
const signer = key.signer();
const checkStatus = async () => ({verified: true});

async function sign() {
  const suite = new DataIntegrityProof({signer, cryptosuite});
  return vc.issue({credential: structuredClone(setup.credential), suite, documentLoader});
}

const signed = await sign();

async function verify() {
  const suite = new DataIntegrityProof({cryptosuite});
  const result = await vc.verifyCredential({credential: signed, suite, documentLoader, checkStatus});
  if(!result.verified) {
    throw new Error(`jsonld.js did not verify the credential: ${JSON.stringify(result.error)}`);
  }
}

for await (const line of createInterface({input: process.stdin})) {
  const {op, n} = JSON.parse(line);
  const operation = op === 'sign' ? sign : verify;
  const seconds = [];
  for(let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await operation();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  process.stdout.write(JSON.stringify({seconds}) + '\n');
}
