import type { ContainerClient } from '@azure/storage-blob';
import { StorageUnavailableError } from '../../shared/errors';
import { checkStorage } from '../../shared/health';
import { MemoryIdempotencyStore } from '../helpers/memoryStores';

/** The one container call the check makes, answered as told; it honours the abort signal as the SDK does. */
function container(answer: 'ok' | 'fails' | 'hangs'): ContainerClient {
  const getProperties = ({ abortSignal }: { abortSignal?: AbortSignal }) =>
    new Promise((resolve, reject) => {
      if (answer === 'ok') resolve({});
      if (answer === 'fails') reject(Object.assign(new Error('AuthorizationFailure'), { statusCode: 403 }));
      abortSignal?.addEventListener('abort', () => reject(abortSignal.reason));
    });
  return { getProperties } as unknown as ContainerClient;
}

describe('checkStorage', () => {
  test('answers when the container and the table both answer', async () => {
    await expect(checkStorage(container('ok'), new MemoryIdempotencyStore(), 1000)).resolves.toBeUndefined();
  });

  test.each<[string, 'ok' | 'fails' | 'hangs', boolean, string]>([
    ['the container fails', 'fails', false, 'Storage operation "blob.containerProperties" failed.'],
    [
      'the container does not answer within the deadline',
      'hangs',
      false,
      'Storage operation "blob.containerProperties" failed.',
    ],
    ['the table fails', 'ok', true, 'Storage operation "table.ping" failed.'],
  ])('is unavailable when %s', async (_case, answer, tableFails, message) => {
    const records = new MemoryIdempotencyStore();
    if (tableFails) records.failNext('ping');

    const check = checkStorage(container(answer), records, 5);

    await expect(check).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(check).rejects.toThrow(message);
  });
});
