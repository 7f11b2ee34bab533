/**
 * Room chat rules (docs/collab-protocol.md, "Chat rules"): what a `chat-send` may contain, reaction toggling, read
 * markers. Pure functions over plain data; the room keeps the last messages in memory and `persistence.ts` stores every
 * change durably.
 */
import { randomUUID } from 'node:crypto';
import { toStorableText } from '../domain/shared/text.js';

export const CHAT_TEXT_LIMIT = 4000;
export const CHAT_RING_SIZE = 500;
export const CHAT_MAX_MENTIONS = 50;
export const CHAT_MAX_ATTACHMENTS = 10;
export const REACTION_PALETTE = ['👍', '🔥', '✅', '💡'] as const;

const MENTION_KINDS = new Set(['user', 'ai']);
const ATTACHMENT_KINDS = new Set(['image', 'video', 'audio', 'file']);

export interface ChatMention {
  kind: 'user' | 'ai';
  value: string;
  userId?: string;
}

export interface ChatAttachment {
  kind: 'image' | 'video' | 'audio' | 'file';
  key: string;
  url: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
}

export interface ChatReaction {
  emoji: string;
  userIds: string[];
}

export interface ChatMessage {
  messageId: string;
  roomId: string;
  userId: string;
  text: string;
  replyToMessageId: string | null;
  mentions: ChatMention[];
  attachments: ChatAttachment[];
  reactions: ChatReaction[];
  createdAt: number;
  updatedAt: number;
}

export interface ChatReadState {
  userId: string;
  lastReadAt: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function cutText(raw: string): string {
  // Postgres stores no NUL or lone surrogate (text and jsonb alike): such characters become U+FFFD.
  const text = toStorableText(raw);
  if (text.length <= CHAT_TEXT_LIMIT) return text;
  let out = text.slice(0, CHAT_TEXT_LIMIT);
  const last = out.charCodeAt(out.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1); // do not leave half a surrogate pair
  return out;
}

function sanitizeMentions(raw: unknown): ChatMention[] {
  if (!Array.isArray(raw)) return [];
  const out: ChatMention[] = [];
  for (const m of raw) {
    if (out.length >= CHAT_MAX_MENTIONS) break;
    if (!isObject(m) || typeof m.kind !== 'string' || !MENTION_KINDS.has(m.kind)) continue;
    if (typeof m.value !== 'string' || m.value.trim().length === 0) continue;
    const mention: ChatMention = { kind: m.kind as ChatMention['kind'], value: toStorableText(m.value.trim().slice(0, 200)) };
    if (typeof m.userId === 'string' && m.userId.length > 0) mention.userId = toStorableText(m.userId.slice(0, 128));
    out.push(mention);
  }
  return out;
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function sanitizeAttachments(raw: unknown): ChatAttachment[] {
  if (!Array.isArray(raw)) return [];
  const out: ChatAttachment[] = [];
  for (const a of raw) {
    if (out.length >= CHAT_MAX_ATTACHMENTS) break;
    if (!isObject(a) || typeof a.kind !== 'string' || !ATTACHMENT_KINDS.has(a.kind)) continue;
    const { key, url, fileName, mimeType, sizeBytes } = a;
    if (typeof key !== 'string' || typeof url !== 'string' || typeof fileName !== 'string' || typeof mimeType !== 'string') {
      continue;
    }
    if (typeof sizeBytes !== 'number' || !Number.isFinite(sizeBytes) || sizeBytes <= 0) continue;
    if (!isHttpUrl(url)) continue;
    const [k, u, f, m] = [key, url, fileName, mimeType].map(toStorableText) as [string, string, string, string];
    out.push({ kind: a.kind as ChatAttachment['kind'], key: k, url: u, fileName: f, mimeType: m, sizeBytes });
  }
  return out;
}

/**
 * Build a message from a `chat-send` payload, or null when it must be dropped (not an object, or empty text and no
 * valid attachment). `replyToMessageId` is kept only when `knownMessage` recognises it.
 */
export function buildChatMessage(
  data: unknown,
  ctx: { roomId: string; userId: string; now: number; knownMessage: (id: string) => boolean; messageId?: string },
): ChatMessage | null {
  if (!isObject(data)) return null;
  const text = cutText(typeof data.text === 'string' ? data.text.trim() : '');
  const attachments = sanitizeAttachments(data.attachments);
  if (text.length === 0 && attachments.length === 0) return null;
  const reply = typeof data.replyToMessageId === 'string' && ctx.knownMessage(data.replyToMessageId)
    ? data.replyToMessageId
    : null;
  return {
    messageId: ctx.messageId ?? randomUUID(),
    roomId: ctx.roomId,
    userId: ctx.userId,
    text,
    replyToMessageId: reply,
    mentions: sanitizeMentions(data.mentions),
    attachments,
    reactions: [],
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
}

export function isPaletteEmoji(emoji: unknown): emoji is string {
  return typeof emoji === 'string' && (REACTION_PALETTE as readonly string[]).includes(emoji);
}

/** Toggle `userId` on `emoji`; empty reactions disappear; the list stays sorted by emoji. */
export function toggleReaction(reactions: ChatReaction[], emoji: string, userId: string): ChatReaction[] {
  const next = reactions.map((r) => ({ emoji: r.emoji, userIds: [...r.userIds] }));
  const found = next.find((r) => r.emoji === emoji);
  if (!found) next.push({ emoji, userIds: [userId] });
  else if (found.userIds.includes(userId)) found.userIds = found.userIds.filter((u) => u !== userId);
  else found.userIds.push(userId);
  return next.filter((r) => r.userIds.length > 0).sort((a, b) => (a.emoji < b.emoji ? -1 : a.emoji > b.emoji ? 1 : 0));
}

/** `lastReadAt = max(previous, min(upTo ?? now, now))`. */
export function nextReadMarker(previous: number | undefined, upTo: unknown, now: number): number {
  const requested = typeof upTo === 'number' && Number.isFinite(upTo) ? Math.min(upTo, now) : now;
  return Math.max(previous ?? 0, Math.floor(requested));
}
