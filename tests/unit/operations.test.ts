import { PUBLIC_OPERATIONS } from '../../src/api/operations';
import { operations } from '../helpers/spec';

test('the operations handlers get no caller for are exactly those the contract opens to anyone (security: [])', () => {
  expect([...PUBLIC_OPERATIONS].sort()).toEqual(operations.filter((op) => !op.secured).map((op) => op.operationId).sort());
});
