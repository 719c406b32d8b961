import { addressGroup } from '../../shared/clientAddress';

describe('addressGroup: the unit a per-address budget is kept for', () => {
  test.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:ffff::', '2001:db8:1:2::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:201', '192.0.2.1'],
    ['::ffff:0:c000:201', '0:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s -> %s', (address, group) => {
    expect(addressGroup(address)).toBe(group);
  });

  test('every address of one /64 shares a group; the next /64 is another', () => {
    const groups = ['2001:db8:a:b::1', '2001:db8:a:b:ffff:ffff:ffff:ffff', '2001:db8:a:b:1234::'].map(
      addressGroup,
    );
    expect(new Set(groups).size).toBe(1);
    expect(addressGroup('2001:db8:a:c::1')).not.toBe(groups[0]);
  });
});
