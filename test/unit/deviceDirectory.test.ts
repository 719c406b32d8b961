import { DeviceDirectory } from '../../shared/auth/deviceDirectory';

describe('DeviceDirectory', () => {
  let ms = 0;
  const clock = () => ms;
  beforeEach(() => (ms = 1_000_000));

  function listing(...ids: string[]) {
    const state = { ids, calls: 0, fail: false };
    const list = async () => {
      state.calls++;
      if (state.fail) throw new Error('storage down');
      return [...state.ids];
    };
    return { state, list };
  }

  test('lists on the first question, answers from memory until an unlisted id comes after the interval', async () => {
    const { state, list } = listing('truck-1');
    const directory = new DeviceDirectory(list, 10_000, clock);
    expect(await directory.has('truck-1')).toBe(true);
    expect(await directory.has('ghost')).toBe(false);
    expect(await directory.has('truck-1')).toBe(true);
    expect(state.calls).toBe(1);
    state.ids.push('truck-2');
    ms += 9_999;
    expect(await directory.has('truck-2')).toBe(false);
    expect(state.calls).toBe(1);
    ms += 1;
    expect(await directory.has('truck-2')).toBe(true);
    expect(state.calls).toBe(2);
    // A listed id never causes a listing, however old the list.
    ms += 60_000;
    expect(await directory.has('truck-1')).toBe(true);
    expect(state.calls).toBe(2);
  });

  test('concurrent questions share one listing', async () => {
    const { state, list } = listing('truck-1');
    const directory = new DeviceDirectory(list, 10_000, clock);
    const answers = await Promise.all(['truck-1', 'a', 'b', 'c'].map((id) => directory.has(id)));
    expect(answers).toEqual([true, false, false, false]);
    expect(state.calls).toBe(1);
  });

  test('a failed listing is not remembered: the error reaches the caller, the next question lists again', async () => {
    const { state, list } = listing('truck-1');
    const directory = new DeviceDirectory(list, 10_000, clock);
    state.fail = true;
    await expect(directory.has('truck-1')).rejects.toThrow('storage down');
    state.fail = false;
    expect(await directory.has('truck-1')).toBe(true);
    expect(state.calls).toBe(2);
  });

  test('the interval counts from when a listing started', async () => {
    const { state, list } = listing();
    const directory = new DeviceDirectory(
      async () => {
        const ids = await list();
        ms += 4_000; // a slow listing
        return ids;
      },
      10_000,
      clock,
    );
    await directory.has('a');
    ms += 6_000;
    await directory.has('a');
    expect(state.calls).toBe(2);
  });
});
