/**
 * A conversation's messages form a tree (an edited message or a regenerated reply is a sibling of the
 * one it replaces). These helpers find the current branch and the siblings a branch switcher moves between.
 */

/** The fields of a stored message the tree needs. */
export interface TreeMessage {
  id: string;
  parent_id: string | null;
}

/** The messages from the root to `leafId`, in order (empty when `leafId` is null or unknown). */
export function branchTo<T extends TreeMessage>(messages: T[], leafId: string | null): T[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const out: T[] = [];
  for (let m = leafId === null ? undefined : byId.get(leafId); m; m = byId.get(m.parent_id ?? '')) {
    out.push(m);
    if (out.length > messages.length) throw new Error('the message tree has a cycle');
  }
  return out.reverse();
}

/** The messages sharing `message`'s parent (itself included), oldest first, and its place among them. */
export function siblings<T extends TreeMessage>(messages: T[], message: T): { all: T[]; index: number } {
  const all = messages.filter((m) => m.parent_id === message.parent_id);
  return { all, index: all.findIndex((m) => m.id === message.id) };
}
