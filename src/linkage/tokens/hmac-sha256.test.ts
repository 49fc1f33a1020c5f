import { createHmac, randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { HmacSha256 } from './hmac-sha256';

test('HmacSha256 equals node:crypto HMAC-SHA256 for messages of every block-boundary length', () => {
  for (const keyLen of [16, 32, 64]) {
    const key = randomBytes(keyLen);
    const h = new HmacSha256(key);
    for (let len = 0; len < 200; len++) {
      const msg = 'a\u00e9\u20ac'.repeat(len % 5) + 'x'.repeat(len);
      expect(Buffer.from(h.digest(msg)).toString('hex')).toBe(createHmac('sha256', key).update(msg).digest('hex'));
    }
  }
});

test('RFC 4231 test case 2', () => {
  const h = new HmacSha256(Buffer.from('Jefe'));
  expect(Buffer.from(h.digest('what do ya want for nothing?')).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});
