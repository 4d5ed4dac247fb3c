// A wallet built on OpenWallet Foundation's oid4vc-ts takes a credential from a vetcred offer link: it resolves the
// offer and the issuer's metadata the way the library does (path-inserted well-known URLs), runs the pre-authorized
// code flow with an Ed25519 key proof, and reports what it saw. Input (stdin JSON): {"offer": "openid-credential-offer://...",
// "authorizationDetails": true|false}. With authorizationDetails, the token request asks for the configuration as
// RFC 9396 authorization details, and the credential request names the credential identifier the token response
// granted (OpenID4VCI 1.0 section 6.2): oid4vc-ts 0.4's client names the configuration in every credential request
// it builds, so that one request goes through the library's resourceRequest with the access token, as a 1.0 wallet's.
import {createHash, generateKeyPairSync, randomBytes, sign} from 'node:crypto';
import {clientAuthenticationAnonymous, resourceRequest} from '@openid4vc/oauth2';
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

const callbacks = {
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
};
const client = new Openid4vciClient({callbacks});

const offer = await client.resolveCredentialOffer(input.offer);
const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
const [credentialConfigurationId] = offer.credential_configuration_ids;
const authorizationDetails = input.authorizationDetails
  ? [{type: 'openid_credential', credential_configuration_id: credentialConfigurationId}]
  : undefined;
const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer: offer, issuerMetadata,
  additionalRequestPayload: authorizationDetails ? {authorization_details: authorizationDetails} : undefined
});
const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
const {jwt} = await client.createCredentialRequestJwtProof({
  issuerMetadata, credentialConfigurationId, nonce, signer: {method: 'jwk', alg: 'EdDSA', publicJwk}
});
const accessToken = accessTokenResponse.access_token;
let credentials;
if(authorizationDetails) {
  const [{credential_identifiers: [credentialIdentifier]}] = accessTokenResponse.authorization_details;
  const {response} = await resourceRequest({
    callbacks, accessToken, url: issuerMetadata.credentialIssuer.credential_endpoint,
    requestOptions: {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({credential_identifier: credentialIdentifier, proofs: {jwt: [jwt]}})
    }
  });
  if(!response.ok) {
    throw new Error(`credential request: ${response.status} ${await response.text()}`);
  }
  ({credentials} = await response.json());
} else {
  const response = await client.retrieveCredentials({
    issuerMetadata, credentialConfigurationId, accessToken, proofs: {jwt: [jwt]}
  });
  ({credentials} = response.credentialResponse);
}
const configuration = issuerMetadata.credentialIssuer.credential_configurations_supported[credentialConfigurationId];
process.stdout.write(JSON.stringify({
  credentialIssuer: issuerMetadata.credentialIssuer.credential_issuer,
  issuerDisplay: issuerMetadata.credentialIssuer.display,
  credentialDisplay: configuration.credential_metadata?.display ?? configuration.display,
  bindingMethods: configuration.cryptographic_binding_methods_supported,
  tokenEndpoint: issuerMetadata.authorizationServers[0].token_endpoint,
  authorizationDetails: accessTokenResponse.authorization_details ?? null,
  credential: credentials[0].credential,
  publicJwk,
  fetched
}));
