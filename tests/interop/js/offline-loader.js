// A JSON-LD document loader that never touches the network: the contexts vetcred ships (URL -> file, given by the
// Python side from app/proofs/loader.py) and, for verification, DID documents the caller passes in. A DID URL with
// a fragment answers with that verification method, under its document's @context, as DID resolvers do.
import {readFileSync} from 'node:fs';

export function offlineLoader({contexts = {}, documents = {}} = {}) {
  const cache = new Map();
  return async function documentLoader(url) {
    if(url in contexts) {
      if(!cache.has(url)) {
        cache.set(url, JSON.parse(readFileSync(contexts[url], 'utf8')));
      }
      return {contextUrl: null, documentUrl: url, document: structuredClone(cache.get(url))};
    }
    const [base, fragment] = url.split('#');
    const document = documents[base];
    if(!document) {
      throw new Error(`offline loader: ${url} is not served`);
    }
    if(fragment === undefined) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
    }
    const method = (document.verificationMethod || []).find(
      m => m.id === url || m.id === `#${fragment}`);
    if(!method) {
      throw new Error(`offline loader: ${url} is not in the document of ${base}`);
    }
    return {
      contextUrl: null,
      documentUrl: url,
      document: {'@context': document['@context'], ...structuredClone(method), id: url}
    };
  };
}

export async function readRequest() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
