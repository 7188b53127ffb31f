/**
 * The apiserver's certificates, as kubeadm makes them (upstream: cmd/kubeadm/app/phases/certs): a
 * cluster CA (`kubernetes`-style, here CN kubelings-ca, 10 years) and the serving certificate it
 * signs for kube-apiserver (1 year), whose names are the loopback ones clients use: `localhost`,
 * 127.0.0.1 and ::1 (plus any bind address given). Clients trust the CA (the kubeconfig's
 * `certificate-authority-data`); nobody needs to skip verification.
 *
 *   const pki = createClusterPki();                      // { ca: { cert, key }, serving: { cert, key } }, PEM
 *   https.createServer({ cert: pki.serving.cert, key: pki.serving.key }, ...)
 *   checkServingPki(pki, ['127.0.0.1'])                  // undefined, or why it cannot serve
 *
 * Why TLS at all, on loopback: kubectl sends a kubeconfig's credentials only to an https server
 * (client-go clientcmd: "only try to read the auth information if we are secure"), so a bearer
 * token needs TLS; and a web page can neither make the browser trust this CA nor read an answer.
 *
 * Keys are ECDSA P-256 from node:crypto (a key and a signature take well under a millisecond, so
 * a test cluster can make its own); the certificates are DER built with @peculiar/asn1-x509 and
 * signed with node:crypto. Invariants: the CA can only sign certificates (keyCertSign, CA:TRUE);
 * the serving certificate is for TLS servers only (serverAuth) and is not a CA.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { CA_VALIDITY_DAYS, RENEW_BEFORE_DAYS, SERVING_VALIDITY_DAYS } from '../params.ts';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_serverAuth,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

/** A certificate and its private key, both PEM. */
export interface CertAndKey {
  cert: string;
  key: string;
}

export interface ClusterPki {
  ca: CertAndKey;
  serving: CertAndKey;
}

/** The names every serving certificate carries: what clients on this machine dial. */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

const DAY_MS = 24 * 60 * 60 * 1000;

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';

function pem(der: ArrayBuffer | Buffer, label: string): string {
  const base64 = Buffer.from(der as ArrayBuffer).toString('base64');
  return `-----BEGIN ${label}-----\n${base64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

function nameOf(commonName: string): Name {
  return new Name([new RelativeDistinguishedName([new AttributeTypeAndValue({ type: COMMON_NAME, value: new AttributeValue({ utf8String: commonName }) })])]);
}

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** SHA-1 of the public key bits: the key identifier RFC 5280 suggests (method 1). */
function keyIdOf(spki: SubjectPublicKeyInfo): Buffer {
  return hash('sha1', Buffer.from(spki.subjectPublicKey), 'buffer');
}

/**
 * A certificate serial number from random bytes, as DER needs it: a positive INTEGER (top bit
 * clear) in its shortest form (no leading 0x00 byte; OpenSSL refuses the certificate otherwise,
 * "illegal padding"). The first byte is forced into 0x40-0x7f, so 126 random bits remain
 * (RFC 5280 allows up to 20 octets; CA/Browser Forum rules ask for at least 64 random bits).
 */
export function serialNumber(random: Buffer): Buffer {
  const serial = Buffer.from(random);
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  return serial;
}

interface CertificateRequest {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  issuerKeyId?: Buffer;
  days: number;
  now: Date;
  extensions: Extension[];
}

function issue(request: CertificateRequest): { pem: string; keyId: Buffer } {
  const spki = AsnConvert.parse(request.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  const keyId = keyIdOf(spki);
  const serial = serialNumber(randomBytes(16));
  const algorithm = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const notBefore = new Date(request.now.getTime() - 5 * 60 * 1000); // a little clock skew
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: new Uint8Array(serial).buffer,
    signature: algorithm,
    issuer: nameOf(request.issuer),
    validity: new Validity({ notBefore, notAfter: new Date(request.now.getTime() + request.days * DAY_MS) }),
    subject: nameOf(request.subject),
    subjectPublicKeyInfo: spki,
    extensions: new Extensions([
      ...request.extensions,
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId)),
      ...(request.issuerKeyId ? [extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(request.issuerKeyId) }))] : []),
    ]),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, { key: request.signingKey, dsaEncoding: 'der' });
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.length) });
  return { pem: pem(AsnConvert.serialize(cert), 'CERTIFICATE'), keyId };
}

function newKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function keyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** A new cluster CA. */
export function createCa(now = new Date()): CertAndKey {
  const { privateKey, publicKey } = newKey();
  const { pem: cert } = issue({
    subject: 'kubelings-ca',
    issuer: 'kubelings-ca',
    publicKey,
    signingKey: privateKey,
    days: CA_VALIDITY_DAYS,
    now,
    extensions: [
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: true })),
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature)),
    ],
  });
  return { cert, key: keyPem(privateKey) };
}

/** A serving certificate for kube-apiserver signed by `ca`, for LOOPBACK_NAMES and `extraNames`. */
export function createServingCert(ca: CertAndKey, extraNames: readonly string[] = [], now = new Date()): CertAndKey {
  const caCert = new X509Certificate(ca.cert);
  const caSpki = AsnConvert.parse(caCert.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  const { privateKey, publicKey } = newKey();
  const names = [...new Set([...LOOPBACK_NAMES, ...extraNames])];
  const { pem: cert } = issue({
    subject: 'kube-apiserver',
    issuer: 'kubelings-ca',
    publicKey,
    signingKey: createPrivateKey(ca.key),
    issuerKeyId: keyIdOf(caSpki),
    days: SERVING_VALIDITY_DAYS,
    now,
    extensions: [
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
      extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth])),
      extension(id_ce_subjectAltName, false, new SubjectAlternativeName(names.map((n) => (isIP(n) ? new GeneralName({ iPAddress: n }) : new GeneralName({ dNSName: n }))))),
    ],
  });
  return { cert, key: keyPem(privateKey) };
}

/** A CA and a serving certificate from it (an in-process cluster makes its own at each start). */
export function createClusterPki(extraNames: readonly string[] = [], now = new Date()): ClusterPki {
  const ca = createCa(now);
  return { ca, serving: createServingCert(ca, extraNames, now) };
}

/**
 * Why this CA and serving certificate cannot serve `names` now (undefined when they can): a
 * certificate that does not parse, a key that is not its certificate's, a serving certificate the
 * CA did not sign, one that expires within RENEW_BEFORE_DAYS, or one without one of the names.
 */
export function checkServingPki(pki: ClusterPki, names: readonly string[] = [], now = new Date()): string | undefined {
  let ca: X509Certificate;
  let serving: X509Certificate;
  try {
    ca = new X509Certificate(pki.ca.cert);
    serving = new X509Certificate(pki.serving.cert);
    if (!ca.checkPrivateKey(createPrivateKey(pki.ca.key))) return "the CA key is not the CA certificate's";
    if (!serving.checkPrivateKey(createPrivateKey(pki.serving.key))) return "the serving key is not the serving certificate's";
  } catch (error) {
    return `a certificate or key does not parse (${(error as Error).message})`;
  }
  if (!ca.ca) return 'the CA certificate is not a CA';
  if (!serving.verify(createPublicKey(ca.publicKey.export({ type: 'spki', format: 'pem' })))) return 'the serving certificate was not signed by the CA';
  const renewBy = now.getTime() + RENEW_BEFORE_DAYS * DAY_MS;
  if (new Date(ca.validTo).getTime() < renewBy) return `the CA expires on ${ca.validTo}`;
  if (new Date(serving.validTo).getTime() < renewBy) return `the serving certificate expires on ${serving.validTo}`;
  if (new Date(serving.validFrom).getTime() > now.getTime()) return `the serving certificate is valid only from ${serving.validFrom}`;
  for (const name of [...LOOPBACK_NAMES, ...names]) {
    const covered = isIP(name) ? serving.checkIP(name) !== undefined : serving.checkHost(name) !== undefined;
    if (!covered) return `the serving certificate is not for ${name}`;
  }
  return undefined;
}
