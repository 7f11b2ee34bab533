/**
 * A room's chat (docs/collab-protocol.md, "Events on the channel"): the last messages in memory, read markers, and
 * one queue per room so chat writes are stored before they are broadcast, in arrival order. The rules of a message
 * are in src/collab/chat.ts.
 */
import {
  CHAT_RING_SIZE,
  buildChatMessage,
  isPaletteEmoji,
  nextReadMarker,
  toggleReaction,
  type ChatMessage,
} from './chat.js';
import type { RoomMember } from './room-types.js';
import type { Room } from './room.js';

export class RoomChat {
  messages: ChatMessage[] = [];
  readonly readMarkers = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly room: Room) {}

  readStates(): Array<{ userId: string; lastReadAt: number }> {
    return [...this.readMarkers].map(([userId, lastReadAt]) => ({ userId, lastReadAt }));
  }

  /** A user's first join: everything so far counts as read. */
  firstJoin(userId: string, now: number): void {
    if (this.readMarkers.has(userId)) return;
    this.readMarkers.set(userId, now);
    void this.enqueue(() => this.room.deps.store.saveReadMarker(this.room.roomId, userId, now));
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task).catch((err: unknown) => {
      this.room.deps.logger.error({ err, roomId: this.room.roomId }, 'chat persistence failed');
    });
    this.queue = run;
    return run;
  }

  /** Client text events after join; anything but chat is ignored. */
  handleClientEvent(m: RoomMember, type: string, data: unknown): Promise<void> | void {
    switch (type) {
      case 'chat-send':
        return this.enqueue(() => this.send(m, data));
      case 'chat-react-toggle':
        return this.enqueue(() => this.toggleReaction(m, data));
      case 'chat-mark-read':
        return this.enqueue(() => this.markRead(m, data));
      default:
        return;
    }
  }

  private async send(m: RoomMember, data: unknown): Promise<void> {
    const now = Date.now();
    const message = buildChatMessage(data, {
      roomId: this.room.roomId,
      userId: m.userId,
      now,
      knownMessage: (id) => this.messages.some((c) => c.messageId === id),
    });
    if (!message) return;
    await this.room.deps.store.insertChatMessage(message);
    this.messages.push(message);
    if (this.messages.length > CHAT_RING_SIZE) this.messages.splice(0, this.messages.length - CHAT_RING_SIZE);
    this.room.broadcast('chat-message-created', { message });
    const marker = nextReadMarker(this.readMarkers.get(m.userId), message.createdAt, now);
    this.readMarkers.set(m.userId, marker);
    await this.room.deps.store.saveReadMarker(this.room.roomId, m.userId, marker);
    this.room.broadcast('chat-read-updated', { userId: m.userId, lastReadAt: marker });
  }

  private async toggleReaction(m: RoomMember, data: unknown): Promise<void> {
    const d = (data ?? {}) as { messageId?: unknown; emoji?: unknown };
    if (typeof d.messageId !== 'string' || !isPaletteEmoji(d.emoji)) return;
    const message = this.messages.find((c) => c.messageId === d.messageId);
    if (!message) return;
    const reactions = toggleReaction(message.reactions, d.emoji, m.userId);
    const updatedAt = Date.now();
    await this.room.deps.store.updateChatReactions(message.messageId, reactions, updatedAt);
    message.reactions = reactions;
    message.updatedAt = updatedAt;
    this.room.broadcast('chat-reaction-updated', { messageId: message.messageId, reactions, updatedAt });
  }

  private async markRead(m: RoomMember, data: unknown): Promise<void> {
    const upTo = (data as { upTo?: unknown } | null | undefined)?.upTo;
    const previous = this.readMarkers.get(m.userId);
    const marker = nextReadMarker(previous, upTo, Date.now());
    if (marker === previous) return;
    this.readMarkers.set(m.userId, marker);
    await this.room.deps.store.saveReadMarker(this.room.roomId, m.userId, marker);
    this.room.broadcast('chat-read-updated', { userId: m.userId, lastReadAt: marker });
  }

  /** Wait for queued chat writes (shutdown, tests). */
  async drain(): Promise<void> {
    await this.queue;
  }
}
