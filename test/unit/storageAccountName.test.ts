import { isStorageAccountName } from '../../shared/storageAccountName';

test.each([
  ['abc', true],
  ['a'.repeat(24), true],
  ['data0account9', true],
  ['ab', false],
  ['a'.repeat(25), false],
  ['Data', false],
  ['data-account', false],
  ['data.account', false],
  [' abc', false],
  ['abc\n', false],
])('isStorageAccountName(%j) is %s', (name, valid) => {
  expect(isStorageAccountName(name)).toBe(valid);
});
