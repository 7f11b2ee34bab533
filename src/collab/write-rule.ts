/**
 * What happens to an edit the write rule rejects (an observer's, or a candidate's while the editor is locked): it is
 * reverted, not dropped (docs/collab-protocol.md, "Document").
 *
 * Dropping it is not enough. The author's editor already shows the edit; the dropped structs leave a gap in the
 * author's Yjs clock, so every later edit of theirs waits on the server for the missing ones, and the next full sync
 * (after the unlock) delivers the rejected text to everybody after all.
 *
 * So the server takes the rejected update into its own document and, in the same transaction, undoes it: everything
 * it inserted is deleted, and everything it deleted is inserted again as a copy at the same place. The transaction's
 * update (emitted once the transaction is over, after Yjs garbage-collected the content of the deleted items) goes
 * to every socket, the author included:
 *
 * - the author's copy of the edit disappears from their screen at once (and the text they removed comes back);
 * - everybody else receives only tombstones without content, so the rejected text never reaches them — and
 *   their documents keep the author's clock continuous, so nothing is re-sent later, before or after the unlock.
 *
 * Nested shared types the rejected edit deleted come back empty (their content was deleted with them); the room
 * document's code buffers are top-level texts and whiteboard records are plain values, which come back whole.
 */
import * as Y from 'yjs';

type Parent = Y.AbstractType<unknown>;

/** Whether an update carries anything at all (structs or deletions). */
export function updateHasContent(update: Uint8Array): boolean {
  try {
    const { structs, ds } = Y.decodeUpdate(update);
    return structs.length > 0 || ds.clients.size > 0;
  } catch {
    return false;
  }
}

/** Number of visible (countable, not deleted) elements left of `item` in its parent's list. */
function indexOf(item: Y.Item): number {
  let index = 0;
  for (let n = (item.parent as Parent)._start; n !== null && n !== item; n = n.right) {
    if (!n.deleted && n.countable) index += n.length;
  }
  return index;
}

/** Insert a copy of a deleted list item (text or array) at the place it had. */
function restoreListItem(item: Y.Item): void {
  const parent = item.parent as Parent;
  const index = indexOf(item);
  const content = item.content;
  if (parent instanceof Y.Text) {
    if (content instanceof Y.ContentString) parent.insert(index, content.str);
    else if (content instanceof Y.ContentEmbed) parent.insertEmbed(index, content.embed as object);
    return;
  }
  if (parent instanceof Y.Array) {
    if (content instanceof Y.ContentAny) parent.insert(index, content.getContent());
    else if (content instanceof Y.ContentType) parent.insert(index, [content.type.clone()]);
  }
}

/** Set a map key back to the value of its deleted item (unless something else holds the key now). */
function restoreMapEntry(item: Y.Item): void {
  const parent = item.parent as Parent;
  if (!(parent instanceof Y.Map) || item.parentSub === null) return;
  const current = parent._map.get(item.parentSub);
  if (current && !current.deleted) return;
  const content = item.content;
  if (content instanceof Y.ContentAny) {
    const values = content.getContent();
    parent.set(item.parentSub, values[values.length - 1]);
  } else if (content instanceof Y.ContentType) parent.set(item.parentSub, content.type.clone());
}

/** Items of `doc` whose id lies at or beyond the state vector `before`: what the last applied update inserted. */
function insertedSince(doc: Y.Doc, before: Map<number, number>): Y.Item[] {
  const out: Y.Item[] = [];
  for (const [client, structs] of doc.store.clients) {
    const from = before.get(client) ?? 0;
    for (let i = structs.length - 1; i >= 0; i--) {
      const s = structs[i]!;
      if (s.id.clock < from) break;
      if (s instanceof Y.Item) out.push(s);
    }
  }
  return out;
}

/**
 * Apply `update` to `doc` and undo it in one transaction with `origin`. Returns false when the update could not be
 * taken in whole (it depends on something the server never received): the caller then asks the author for a full
 * sync, whose answer goes through the same path.
 */
export function applyAndRevert(doc: Y.Doc, update: Uint8Array, origin: unknown): boolean {
  const before = Y.decodeStateVector(Y.encodeStateVector(doc));
  let complete = true;
  doc.transact((tr) => {
    Y.applyUpdate(doc, update, origin);
    const removed: Y.Item[] = [];
    Y.iterateDeletedStructs(tr, tr.deleteSet, (s) => {
      if (s instanceof Y.Item && s.id.clock < (before.get(s.id.client) ?? 0)) removed.push(s);
    });
    for (const item of insertedSince(doc, before)) item.delete(tr);
    // Copies go back right to left, so each lands left of the ones already restored in the same gap.
    const lists = removed.filter((i) => i.parentSub === null && !(i.parent as Parent)._item?.deleted);
    const order = new Map<Y.Item, number>();
    for (const parent of new Set(lists.map((i) => i.parent as Parent))) {
      let k = 0;
      for (let n = parent._start; n !== null; n = n.right) order.set(n, k++);
    }
    lists.sort((a, b) => (order.get(b) ?? 0) - (order.get(a) ?? 0));
    for (const item of lists) if (item.countable) restoreListItem(item);
    for (const item of removed) if (item.parentSub !== null && !(item.parent as Parent)._item?.deleted) restoreMapEntry(item);
    complete = doc.store.pendingStructs === null && doc.store.pendingDs === null;
  }, origin);
  return complete;
}
