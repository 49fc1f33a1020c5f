/**
 * HMAC-SHA256 (RFC 2104, https://www.rfc-editor.org/rfc/rfc2104; SHA-256 per FIPS 180-4) with the key's inner and
 * outer pad states precomputed once, so a short token costs two compression rounds instead of four plus the
 * per-call overhead of node:crypto. Output is byte-identical to `createHmac('sha256', key)` (checked by tests).
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const W = new Int32Array(64);

/** One SHA-256 compression of the 64-byte block at `bytes[off..off+64)` into `state`. */
function compress(state: Int32Array, bytes: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
  compressW(state);
}

/** One SHA-256 compression of the block already loaded in W[0..16) into `state`. */
function compressW(state: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]!;
    const y = W[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!, e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

const encoder = new TextEncoder();
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A keyed HMAC-SHA256 with precomputed pad states. */
export class HmacSha256 {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private buf = new Uint8Array(256);
  private readonly state = new Int32Array(8);
  private readonly outBlock = new Uint8Array(64);

  constructor(key: Uint8Array) {
    if (key.length > 64) throw new RangeError('HmacSha256 keys longer than one block are not supported');
    const ipad = new Uint8Array(64).fill(0x36);
    const opad = new Uint8Array(64).fill(0x5c);
    for (let i = 0; i < key.length; i++) {
      ipad[i]! ^= key[i]!;
      opad[i]! ^= key[i]!;
    }
    this.inner.set(IV);
    compress(this.inner, ipad, 0);
    this.outer.set(IV);
    compress(this.outer, opad, 0);
  }

  /** HMAC of the UTF-8 bytes of `message`, written as 32 bytes into `out` (allocated when absent). */
  digest(message: string, out: Uint8Array = new Uint8Array(32)): Uint8Array {
    const s = this.hashState(message);
    for (let i = 0; i < 8; i++) {
      const v = s[i]!;
      out[i * 4] = v >>> 24;
      out[i * 4 + 1] = (v >>> 16) & 0xff;
      out[i * 4 + 2] = (v >>> 8) & 0xff;
      out[i * 4 + 3] = v & 0xff;
    }
    return out;
  }

  /** The first 16 bytes of the HMAC of `message`, base64url-encoded (22 characters, no padding). */
  digest16Base64url(message: string): string {
    const s = this.hashState(message);
    const b = this.outBlock;
    for (let i = 0; i < 4; i++) {
      const v = s[i]!;
      b[i * 4] = v >>> 24;
      b[i * 4 + 1] = (v >>> 16) & 0xff;
      b[i * 4 + 2] = (v >>> 8) & 0xff;
      b[i * 4 + 3] = v & 0xff;
    }
    let out = '';
    for (let i = 0; i < 15; i += 3) {
      const x = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
      out += B64[x >>> 18]! + B64[(x >>> 12) & 63]! + B64[(x >>> 6) & 63]! + B64[x & 63]!;
    }
    const last = b[15]!;
    return out + B64[last >>> 2]! + B64[(last & 3) << 4]!;
  }

  /** Runs HMAC over `message` and returns the final SHA-256 state (8 big-endian words). */
  private hashState(message: string): Int32Array {
    // Room for the message (≤ 3 bytes per UTF-16 unit), the 0x80 marker and the 8-byte length.
    const need = message.length * 3 + 72;
    if (this.buf.length < need) this.buf = new Uint8Array(need * 2);
    const buf = this.buf;
    let n = 0;
    const len = message.length;
    for (; n < len; n++) {
      const c = message.charCodeAt(n);
      if (c > 0x7f) break;
      buf[n] = c;
    }
    if (n < len) n = encoder.encodeInto(message, buf).written;
    const total = n + 9;
    const padded = Math.ceil(total / 64) * 64;
    buf[n] = 0x80;
    buf.fill(0, n + 1, padded);
    const bits = (n + 64) * 8;
    buf[padded - 4] = (bits >>> 24) & 0xff;
    buf[padded - 3] = (bits >>> 16) & 0xff;
    buf[padded - 2] = (bits >>> 8) & 0xff;
    buf[padded - 1] = bits & 0xff;
    buf[padded - 5] = Math.floor(bits / 2 ** 32) & 0xff;
    const s = this.state;
    s.set(this.inner);
    for (let off = 0; off < padded; off += 64) compress(s, buf, off);
    // Outer hash: one block = inner digest ‖ 0x80 ‖ zeros ‖ bit length (64 + 32 bytes), loaded as words directly.
    for (let i = 0; i < 8; i++) W[i] = s[i]!;
    W[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) W[i] = 0;
    W[15] = (64 + 32) * 8;
    s.set(this.outer);
    compressW(s);
    return s;
  }
}
