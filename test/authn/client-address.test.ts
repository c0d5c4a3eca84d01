import { describe, expect, it } from 'vitest';
import { throttleAddress } from '../../src/authn/client-address.js';

describe('throttleAddress', () => {
  it.each([
    ['127.0.0.2', '127.0.0.2'],
    ['::ffff:127.0.0.2', '127.0.0.2'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff::1', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002::', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    [undefined, ''],
  ])('counts %s as %s', (ip, key) => {
    expect(throttleAddress(ip)).toBe(key);
  });

  it('puts two addresses of one /64 together and two /64s apart', () => {
    expect(throttleAddress('2001:db8:a:b::1')).toBe(throttleAddress('2001:db8:a:b:dead:beef:0:1'));
    expect(throttleAddress('2001:db8:a:b::1')).not.toBe(throttleAddress('2001:db8:a:c::1'));
  });
});
