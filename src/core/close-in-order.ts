/**
 * Closes parts in order, each one even when one before it failed — so a Redis that hangs at
 * shutdown cannot keep the audit log from writing its shutdown checkpoint — and then reports
 * every failure together.
 */
export async function closeInOrder(
  closing: readonly (() => void | Promise<void>)[],
): Promise<void> {
  const failures: unknown[] = [];
  for (const close of closing) {
    try {
      await close();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'the IdP did not close cleanly');
}
