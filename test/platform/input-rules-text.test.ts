/**
 * The one definition of storable text and of the API's formats, as functions: what the HTTP edge refuses and what
 * the collab plane (code snapshots, chat) stores with unstorable characters replaced.
 */
import { describe, expect, it } from '@jest/globals';
import { buildChatMessage } from '../../src/collab/chat.js';
import { isStorableText, toStorableText } from '../../src/domain/shared/text.js';
import { isDate, isDateTime, isUuid } from '../../src/http/validation.js';

describe('storable text', () => {
  it('refuses NUL and unpaired surrogates, accepts pairs and everything else', () => {
    for (const bad of ['\u0000', 'a\u0000', '\uD800', 'x\uDFFF', '\uDE00\uD83D', 'ok\uDBFF']) expect(isStorableText(bad)).toBe(false);
    for (const good of ['', 'plain', '😀', 'Łódź', '\u202E', '\uFFFD', 'tab\tand\nnewline']) expect(isStorableText(good)).toBe(true);
  });

  it('replaces each unstorable character with U+FFFD and leaves the rest', () => {
    expect(toStorableText('a\u0000b\uD800c😀\uDFFF')).toBe('a\uFFFDb\uFFFDc😀\uFFFD');
    expect(toStorableText('clean 😀')).toBe('clean 😀');
  });

  it('stores chat text, mentions and attachments without unstorable characters', () => {
    const message = buildChatMessage(
      {
        text: 'hi\u0000 there\uD800',
        mentions: [{ kind: 'user', value: '@bo\u0000b', userId: 'u\uDFFF' }],
        attachments: [{ kind: 'image', key: 'k\u0000', url: 'https://example.test/a.png', fileName: 'a\uD800.png', mimeType: 'image/png', sizeBytes: 10 }],
      },
      { roomId: 'r', userId: 'u', now: 1, knownMessage: () => false },
    );
    expect(message).not.toBeNull();
    const stored = JSON.stringify(message);
    expect(isStorableText(message!.text)).toBe(true);
    expect(stored).not.toMatch(/\\u0000|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i);
    expect(message!.text).toBe('hi\uFFFD there\uFFFD');
    expect(message!.mentions).toEqual([{ kind: 'user', value: '@bo\uFFFDb', userId: 'u\uFFFD' }]);
    expect(message!.attachments).toEqual([expect.objectContaining({ key: 'k\uFFFD', fileName: 'a\uFFFD.png' })]);
  });
});

describe('formats', () => {
  it('knows one UUID: canonical hex 8-4-4-4-12', () => {
    expect(isUuid('6f1c1f0e-8d3b-4c36-9a57-0f5b7d9a1e01')).toBe(true);
    expect(isUuid('6F1C1F0E-8D3B-4C36-9A57-0F5B7D9A1E01')).toBe(true);
    for (const bad of ['urn:uuid:6f1c1f0e-8d3b-4c36-9a57-0f5b7d9a1e01', '{6f1c1f0e-8d3b-4c36-9a57-0f5b7d9a1e01}', '6f1c1f0e8d3b4c369a570f5b7d9a1e01', '6f1c1f0e-8d3b-4c36-9a57-0f5b7d9a1e0g']) {
      expect(isUuid(bad)).toBe(false);
    }
  });

  it('knows one date-time: what new Date() and timestamptz both accept', () => {
    for (const good of ['2024-02-29T00:00:00Z', '2024-06-30T23:59:59.999999+14:00', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2024-06-30T10:00:00-00:30']) {
      expect(isDateTime(good)).toBe(true);
    }
    for (const bad of ['2023-02-29T00:00:00Z', '2024-06-30T23:59:60Z', '2024-06-30T10:00:00+02', '2024-06-30T10:00:00+0200', '0000-01-01T00:00:00Z', '+010000-01-01T00:00:00Z', '2024-06-30 10:00:00Z', '2024-06-30T10:00Z', '2024-06-30T10:00:00', '9999-12-31T23:59:59-01:00', '2024-06-30T10:00:00+24:00']) {
      expect(isDateTime(bad)).toBe(false);
    }
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('0000-01-01')).toBe(false);
    expect(isDate('2023-02-29')).toBe(false);
  });
});
