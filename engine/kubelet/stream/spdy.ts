/**
 * The server side of SPDY/3.1 as kubectl's port-forward speaks it (draft-mbelshe-httpbis-spdy-00,
 * the framing of github.com/moby/spdystream that client-go uses): frames over one byte stream,
 *   control: 1 | version(15) = 3 | type(16) | flags(8) | length(24) | data
 *   data:    0 | stream id(31)               | flags(8) | length(24) | data   (flag FIN = 1)
 * of which SYN_STREAM (1), SYN_REPLY (2), RST_STREAM (3), PING (6), GOAWAY (7) are used;
 * SETTINGS, HEADERS and WINDOW_UPDATE are read and ignored (spdystream has no flow control, so
 * neither side waits for windows). Header blocks are name/value lists compressed with zlib and
 * the spec's dictionary, one zlib stream per direction for the whole connection.
 *
 * Invariants: frames are handled one at a time in arrival order (header blocks decompress
 * asynchronously); a malformed frame, an oversized one or a broken header block ends the session.
 */
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { KUBELET_SPDY_MAX_FRAME_BYTES as MAX_FRAME_BYTES } from '../../params.ts';

/** The SPDY/3 header dictionary (spec section 2.6.10.1): length-prefixed words, then a tail. */
const DICTIONARY_WORDS = [
  'options',
  'head',
  'post',
  'put',
  'delete',
  'trace',
  'accept',
  'accept-charset',
  'accept-encoding',
  'accept-language',
  'accept-ranges',
  'age',
  'allow',
  'authorization',
  'cache-control',
  'connection',
  'content-base',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-md5',
  'content-range',
  'content-type',
  'date',
  'etag',
  'expect',
  'expires',
  'from',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'pragma',
  'proxy-authenticate',
  'proxy-authorization',
  'range',
  'referer',
  'retry-after',
  'server',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'vary',
  'via',
  'warning',
  'www-authenticate',
  'method',
  'get',
  'status',
  '200 OK',
  'version',
  'HTTP/1.1',
  'url',
  'public',
  'set-cookie',
  'keep-alive',
  'origin',
];
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found' +
  '500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,' +
  'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const SPDY_DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.map((word) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(word.length);
    return Buffer.concat([length, Buffer.from(word, 'latin1')]);
  }),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

export const SYN_STREAM = 1;
export const SYN_REPLY = 2;
export const RST_STREAM = 3;
export const SETTINGS = 4;
export const PING = 6;
export const GOAWAY = 7;
export const HEADERS = 8;
export const WINDOW_UPDATE = 9;
export const FLAG_FIN = 0x01;
/** RST_STREAM status codes used here. */
export const RST_PROTOCOL_ERROR = 1;
export const RST_REFUSED_STREAM = 3;
export const RST_CANCEL = 5;

export type Frame = { control: true; type: number; flags: number; data: Buffer } | { control: false; streamId: number; flags: number; data: Buffer };

/** Splits a byte stream into frames; throws on a frame that cannot be right. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buffer.length >= 8) {
      const length = this.buffer.readUIntBE(5, 3);
      if (length > MAX_FRAME_BYTES) throw new Error(`a SPDY frame of ${length} bytes is larger than the ${MAX_FRAME_BYTES} accepted`);
      if (this.buffer.length < 8 + length) break;
      const flags = this.buffer[4]!;
      const data = Buffer.from(this.buffer.subarray(8, 8 + length));
      if (this.buffer[0]! & 0x80) {
        const version = this.buffer.readUInt16BE(0) & 0x7fff;
        if (version !== 3) throw new Error(`SPDY version ${version} is not spoken here (only 3)`);
        frames.push({ control: true, type: this.buffer.readUInt16BE(2), flags, data });
      } else {
        frames.push({ control: false, streamId: this.buffer.readUInt32BE(0) & 0x7fffffff, flags, data });
      }
      this.buffer = this.buffer.subarray(8 + length);
    }
    return frames;
  }
}

export function controlFrame(type: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(data.length, 4);
  head[4] = flags;
  return Buffer.concat([head, data]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(data.length, 4);
  head[4] = flags;
  return Buffer.concat([head, data]);
}

export function uint32s(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** name/value pairs as the uncompressed header block (names lower case, as SPDY/3 requires). */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [uint32s(Object.keys(headers).length)];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(uint32s(n.length), n, uint32s(v.length), v);
  }
  return Buffer.concat(parts);
}

/** An uncompressed header block as a map (lower-case names; several values joined with NUL stay joined). */
export function decodeHeaderBlock(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let at = 0;
  const read = (): Buffer => {
    if (at + 4 > block.length) throw new Error('a SPDY header block ends early');
    const length = block.readUInt32BE(at);
    at += 4;
    if (at + length > block.length) throw new Error('a SPDY header block ends early');
    const value = block.subarray(at, at + length);
    at += length;
    return value;
  };
  if (block.length < 4) throw new Error('a SPDY header block ends early');
  const count = block.readUInt32BE(0);
  at = 4;
  if (count > 1000) throw new Error(`a SPDY header block with ${count} headers`);
  for (let i = 0; i < count; i++) {
    const name = read().toString('utf8').toLowerCase();
    headers[name] = read().toString('utf8');
  }
  return headers;
}

/** One direction's zlib context: every header block of a connection continues one stream. */
class ZlibContext {
  private output: Buffer[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly stream: Inflate | Deflate) {
    stream.on('data', (chunk: Buffer) => this.output.push(chunk));
    stream.on('error', () => undefined);
  }

  /** Runs `input` through the context with a sync flush; resolves with what came out. */
  run(input: Buffer): Promise<Buffer> {
    const next = this.chain.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          const onError = (error: Error) => reject(error);
          this.stream.once('error', onError);
          this.stream.write(input);
          this.stream.flush(constants.Z_SYNC_FLUSH, () => {
            this.stream.off('error', onError);
            const out = Buffer.concat(this.output);
            this.output = [];
            resolve(out);
          });
        }),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.stream.destroy();
  }
}

export class HeaderCodec {
  private readonly inflater = new ZlibContext(createInflate({ dictionary: SPDY_DICTIONARY }));
  private readonly deflater = new ZlibContext(createDeflate({ dictionary: SPDY_DICTIONARY }));

  async decode(compressed: Buffer): Promise<Record<string, string>> {
    return decodeHeaderBlock(await this.inflater.run(compressed));
  }

  encode(headers: Record<string, string>): Promise<Buffer> {
    return this.deflater.run(encodeHeaderBlock(headers));
  }

  close(): void {
    this.inflater.close();
    this.deflater.close();
  }
}
