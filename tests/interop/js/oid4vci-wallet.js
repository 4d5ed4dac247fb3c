// A wallet built on OpenWallet Foundation's oid4vc-ts takes a credential from a vetcred offer link: it resolves the
// offer and the issuer's metadata the way the library does (path-inserted well-known URLs), runs the pre-authorized
// code flow with an Ed25519 key proof, and reports what it saw. Input (stdin JSON): {"offer": "openid-credential-offer://..."}.
import {createHash, generateKeyPairSync, randomBytes, sign} from 'node:crypto';
import {clientAuthenticationAnonymous} from '@openid4vc/oauth2';
import {Openid4vciClient, setGlobalConfig} from '@openid4vc/openid4vci';

const input = JSON.parse(await new Promise(resolve => {
  let text = '';
  process.stdin.on('data', chunk => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));
// The test server listens on http://127.0.0.1 (a production issuer is https).
setGlobalConfig({allowInsecureUrls: true});

const {publicKey, privateKey} = generateKeyPairSync('ed25519');
const publicJwk = publicKey.export({format: 'jwk'});
const b64url = value => Buffer.from(value).toString('base64url');
const fetched = [];

const client = new Openid4vciClient({
  callbacks: {
    // Pre-authorized code flow without client authentication (the issuer allows anonymous access).
    clientAuthentication: clientAuthenticationAnonymous(),
    fetch: (url, init) => { fetched.push(String(url)); return fetch(url, init); },
    generateRandom: length => randomBytes(length),
    hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
    signJwt: async (signer, {header, payload}) => {
      const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
      const signature = sign(null, Buffer.from(input), privateKey);
      return {jwt: `${input}.${b64url(signature)}`, signerJwk: publicJwk};
    }
  }
});

const offer = await client.resolveCredentialOffer(input.offer);
const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer: offer, issuerMetadata
});
const [credentialConfigurationId] = offer.credential_configuration_ids;
const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
const {jwt} = await client.createCredentialRequestJwtProof({
  issuerMetadata, credentialConfigurationId, nonce, signer: {method: 'jwk', alg: 'EdDSA', publicJwk}
});
const response = await client.retrieveCredentials({
  issuerMetadata, credentialConfigurationId, accessToken: accessTokenResponse.access_token, proofs: {jwt: [jwt]}
});
const configuration = issuerMetadata.credentialIssuer.credential_configurations_supported[credentialConfigurationId];
process.stdout.write(JSON.stringify({
  credentialIssuer: issuerMetadata.credentialIssuer.credential_issuer,
  issuerDisplay: issuerMetadata.credentialIssuer.display,
  credentialDisplay: configuration.credential_metadata?.display ?? configuration.display,
  tokenEndpoint: issuerMetadata.authorizationServers[0].token_endpoint,
  credential: response.credentialResponse.credentials[0].credential,
  fetched
}));
