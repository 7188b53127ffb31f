/**
 * The cluster's credential files, as a hostile or careless hand leaves them: the token file
 * (kube-apiserver's --token-auth-file format) and the PKI folder (kubeadm's file names). What
 * must hold: a line the server cannot read refuses the start with file:line and rewrites nothing;
 * a file others could read gets a new admin token (or a new CA) and mode 600, with a warning; a
 * symlink or a folder in a file's place is refused, never followed; what is fine is kept across
 * starts. Upstream: k8s.io/apiserver pkg/authentication/token/tokenfile/tokenfile.go (columns,
 * empty and duplicate tokens), cmd/kubeadm/app/phases/certs (ca.crt, apiserver.crt, their usages).
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createClusterPki, serialNumber } from '#engine/apiserver/pki.ts';
import { formatTokenFile, parseTokenFile } from '#engine/apiserver/token-file.ts';
import { StaticTokens } from '#engine/apiserver/tokens.ts';
import { preparePki, readCaCert } from '#engine/cluster/pki-files.ts';
import { prepareTokenFile, readAdminToken } from '#engine/cluster/token-file.ts';
import { isLoopbackHost } from '#engine/apiserver/endpoints/browser-defences.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubelings-credentials-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('the token file format (--token-auth-file)', () => {
  test("upstream's example line: token, user, uid and quoted groups; a line without groups has none", () => {
    const { tokens, warnings } = parseTokenFile('31ada4fd-adec-460c-809a-9e56ceb75269,alice,1001,"dev,ops"\nsecond-token,bob,1002\n\n', 'tokens.csv');
    expect(tokens).toEqual([
      { token: '31ada4fd-adec-460c-809a-9e56ceb75269', user: { username: 'alice', uid: '1001', groups: ['dev', 'ops'] } },
      { token: 'second-token', user: { username: 'bob', uid: '1002', groups: [] } },
    ]);
    expect(warnings).toEqual([]);
  });

  test('a line with fewer than 3 columns, or an unclosed quote, makes the file invalid and names file:line', () => {
    expect(() => parseTokenFile('good,alice,1\nonly,two\n', '/x/tokens.csv')).toThrow('/x/tokens.csv:2: a token line must have at least 3 columns (token, user name, user uid), found 2');
    expect(() => parseTokenFile('good,alice,1,"dev\n', '/x/tokens.csv')).toThrow(/^\/x\/tokens\.csv:1: a quote is not closed/);
    expect(() => parseTokenFile('to ken,alice,1\n', 'f')).toThrow(/^f:1: the token must be printable characters without spaces/);
  });

  test('an empty token is skipped and a repeated one wins on its later line, each with a warning, as upstream', () => {
    const { tokens, warnings } = parseTokenFile(',nobody,0\nsame,alice,1\nsame,bob,2\n', 'f');
    expect(warnings).toEqual(['f:1: the token is empty; line skipped', 'f:3: this token was already given on an earlier line; this line wins']);
    expect(new StaticTokens(tokens).authenticate('same')?.username).toBe('bob');
  });

  test('what formatTokenFile writes reads back the same, quotes and commas in names included', () => {
    const entries = [
      { token: 'abc', user: { username: 'kubelings-admin', uid: 'kubelings-admin', groups: ['system:masters'] } },
      { token: 'def', user: { username: 'a "quoted", name', uid: 'u,1', groups: ['g1', 'g2'] } },
    ];
    expect(parseTokenFile(formatTokenFile(entries), 'f').tokens).toEqual(entries);
  });
});

describe("the cluster's token file (.kubelings/tokens.csv)", () => {
  test('made on first start with a 43-character admin token, mode 600, and kept on the next start', () => {
    const path = join(dir, 'tokens.csv');
    const first = prepareTokenFile(path);
    expect(mode(path)).toBe('600');
    const token = readAdminToken(path);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The admin's, and the apiserver's credential towards the kubelets (which read this file too).
    expect(first.tokens.map((t) => [t.user.username, t.token === token])).toEqual([
      ['kubelings-admin', true],
      ['kube-apiserver-kubelet-client', false],
    ]);
    expect(first.tokens[1]!.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(prepareTokenFile(path)).toEqual({ tokens: first.tokens, warnings: [] });
    expect(readAdminToken(path)).toBe(token);
  });

  test("a file others could read gets a new admin token and mode 600, with a warning; the learner's own lines stay", () => {
    const path = join(dir, 'tokens.csv');
    writeFileSync(path, 'leaked-admin-token,kubelings-admin,kubelings-admin,"system:masters"\njane-token,jane,jane,"dev"\n');
    chmodSync(path, 0o644);
    const { warnings } = prepareTokenFile(path);
    expect(warnings).toEqual([`${path} could be read by other users of this machine (mode 644): made a new admin token and set the mode to 600`]);
    expect(mode(path)).toBe('600');
    expect(readAdminToken(path)).not.toBe('leaked-admin-token');
    expect(readFileSync(path, 'utf8')).not.toContain('leaked-admin-token');
    expect(readFileSync(path, 'utf8')).toContain('jane-token,jane,jane,"dev"\n');
  });

  test('a file without the admin gets one added, the other lines kept', () => {
    const path = join(dir, 'tokens.csv');
    writeFileSync(path, 'jane-token,jane,jane\n', { mode: 0o600 });
    expect(prepareTokenFile(path).warnings).toEqual([`${path} had no kubelings-admin line: added one`]);
    expect(readAdminToken(path)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(path, 'utf8')).toContain('jane-token,jane,jane\n');
  });

  test('hostile: a broken line refuses the start with file:line and what to do, and the file is left exactly as it was', () => {
    const path = join(dir, 'tokens.csv');
    const text = 'admin-token,kubelings-admin,kubelings-admin,"system:masters"\njane-token,"jane\n';
    writeFileSync(path, text, { mode: 0o644 });
    expect(() => prepareTokenFile(path)).toThrow(`${path}:2: a quote is not closed`);
    expect(() => prepareTokenFile(path)).toThrow(`delete ${path} and cluster up makes a new one`);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(mode(path), 'not even the mode is touched before the learner has looked').toBe('644');
  });

  test("hostile: a symlink or a folder in its place is refused, and the symlink's target is neither read nor written", () => {
    const target = join(dir, 'elsewhere');
    writeFileSync(target, 'not a token file\n');
    const path = join(dir, 'tokens.csv');
    symlinkSync(target, path);
    expect(() => prepareTokenFile(path)).toThrow('is not a regular file (a symlink or a folder?)');
    expect(readFileSync(target, 'utf8')).toBe('not a token file\n');
    rmSync(path);
    mkdirSync(path);
    expect(() => prepareTokenFile(path)).toThrow('is not a regular file');
  });

  test('reading the admin token from a missing or adminless file says how to recover', () => {
    expect(() => readAdminToken(join(dir, 'absent.csv'))).toThrow(/Cannot read the cluster's token file .*absent\.csv \(ENOENT\): stop the cluster/);
    const path = join(dir, 'tokens.csv');
    writeFileSync(path, 'jane-token,jane,jane\n');
    expect(() => readAdminToken(path)).toThrow('has no kubelings-admin line');
  });
});

describe("the cluster's certificates (.kubelings/pki)", () => {
  test('first start: a CA that only signs, a serving certificate for the loopback names that is not a CA; folder 700, keys 600', () => {
    const pki = join(dir, 'pki');
    const { tls, warnings } = preparePki(pki);
    expect(warnings).toEqual([]);
    expect(mode(pki)).toBe('700');
    for (const file of ['ca.key', 'apiserver.key']) expect(mode(join(pki, file)), file).toBe('600');
    const ca = new X509Certificate(tls.ca);
    const serving = new X509Certificate(tls.cert);
    expect(ca.ca).toBe(true);
    expect(serving.ca).toBe(false);
    expect(serving.verify(ca.publicKey), 'signed by the CA').toBe(true);
    expect(serving.keyUsage, 'serverAuth only').toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(serving.checkHost('localhost')).toBe('localhost');
    expect(serving.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(serving.checkIP('::1')).toBeDefined();
    expect(serving.checkHost('evil.example')).toBeUndefined();
    expect(readCaCert(pki)).toBe(tls.ca);
  });

  test('serial numbers are positive and in their shortest DER form, whatever the random bytes (else OpenSSL refuses the certificate: "illegal padding")', () => {
    // The bytes that broke it: a first byte that masks to 0x00 followed by one below 0x80.
    for (const first of [0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xff]) {
      const serial = serialNumber(Buffer.from([first, 0x05, ...new Array(14).fill(0)]));
      expect(serial.length).toBe(16);
      expect(serial[0], `first random byte ${first}`).toBeGreaterThanOrEqual(0x40);
      expect(serial[0], `first random byte ${first}`).toBeLessThan(0x80);
    }
    // And in real certificates (before, about one in 512 did not parse).
    for (let i = 0; i < 40; i++) {
      const { ca, serving } = createClusterPki();
      for (const pem of [ca.cert, serving.cert]) expect(new X509Certificate(pem).serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
    }
  });

  test('kept across starts; an expiring serving certificate is renewed from the same CA, without a warning', () => {
    const pki = join(dir, 'pki');
    const first = preparePki(pki);
    expect(preparePki(pki).tls).toEqual(first.tls);
    const later = new Date(Date.now() + 340 * 24 * 3600 * 1000); // within 30 days of the serving certificate's year
    const renewed = preparePki(pki, later);
    expect(renewed.warnings).toEqual([]);
    expect(renewed.tls.ca, 'copies of the kubeconfig keep working').toBe(first.tls.ca);
    expect(renewed.tls.cert).not.toBe(first.tls.cert);
  });

  test('hostile: a CA key others could read, or a garbled CA, is replaced with a warning that old kubeconfigs stop working', () => {
    const pki = join(dir, 'pki');
    const first = preparePki(pki);
    chmodSync(join(pki, 'ca.key'), 0o644);
    const exposed = preparePki(pki);
    expect(exposed.warnings).toEqual([
      expect.stringMatching(/made a new cluster CA .*its key could be read by other users \(mode 644\)\. Copies of the kubeconfig made before this start no longer work/),
    ]);
    expect(exposed.tls.ca).not.toBe(first.tls.ca);
    expect(mode(join(pki, 'ca.key'))).toBe('600');
    writeFileSync(join(pki, 'ca.crt'), '-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n');
    const garbled = preparePki(pki);
    expect(garbled.warnings).toEqual([expect.stringContaining('does not parse')]);
    expect(new X509Certificate(garbled.tls.cert).verify(new X509Certificate(garbled.tls.ca).publicKey)).toBe(true);
  });

  test("hostile: a symlink in a key's place is refused, never followed", () => {
    const pki = join(dir, 'pki');
    preparePki(pki);
    const target = join(dir, 'precious');
    writeFileSync(target, 'precious\n');
    rmSync(join(pki, 'apiserver.key'));
    symlinkSync(target, join(pki, 'apiserver.key'));
    expect(() => preparePki(pki)).toThrow('is not a regular file (a symlink or a folder?)');
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(existsSync(join(pki, 'ca.crt'))).toBe(true);
  });
});

describe('which Host headers name this machine', () => {
  // The table the server's filter decides on; apiserver-auth.test.ts sends some of them over the wire.
  test.each([
    ['localhost', true],
    ['LOCALHOST:6443', true],
    ['127.0.0.1', true],
    ['127.255.255.254:1', true],
    ['[::1]:6443', true],
    ['[0:0:0:0:0:0:0:1]', true],
    ['', false],
    ['localhost.', false],
    ['localhost:', false],
    ['localhost:65536x', false],
    ['127.0.0.1:80:80', false],
    ['127.1', false],
    ['0x7f.0.0.1', false],
    ['127.0.0.300', false],
    ['[::1', false],
    ['::1', false],
    ['[::ffff:127.0.0.1]', false],
    ['evil.example', false],
    ['127.0.0.1.evil.example', false],
    ['0.0.0.0', false],
  ])('%j is loopback: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
