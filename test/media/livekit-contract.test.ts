/**
 * Contract with a real LiveKit server. No LiveKit server exists on dev/CI machines, so this file is skipped unless
 * LIVEKIT_URL (with LIVEKIT_API_KEY / LIVEKIT_API_SECRET) is set in the environment — e.g. against the docker compose
 * stack. Everything that needs no server is covered by token.test.ts and recording.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { RoomServiceClient } from 'livekit-server-sdk';
import { apiHost, createLiveKitEgress } from '../../src/infra/livekit/egress.js';
import { signMediaToken } from '../../src/infra/livekit/token.js';

const url = process.env.LIVEKIT_URL ?? '';
const apiKey = process.env.LIVEKIT_API_KEY ?? '';
const apiSecret = process.env.LIVEKIT_API_SECRET ?? '';
const describeLive = url && apiKey && apiSecret ? describe : describe.skip;

describeLive('LiveKit server contract', () => {
  const roomName = `contract-${Date.now()}`;
  const rooms = new RoomServiceClient(apiHost(url), apiKey, apiSecret);

  it('accepts our credentials and creates the room a token is signed for', async () => {
    const { token } = await signMediaToken({ apiKey, apiSecret, roomName, identity: 'contract-user' });
    expect(token.split('.')).toHaveLength(3);
    await rooms.createRoom({ name: roomName, emptyTimeout: 60 });
    const listed = await rooms.listRooms([roomName]);
    expect(listed.map((r) => r.name)).toEqual([roomName]);
  });

  it('starts and stops a room-composite egress through the adapter', async () => {
    const egress = createLiveKitEgress({ url, apiKey, apiSecret, timeoutMs: 20_000 });
    const { egressId } = await egress.startRoomRecording(roomName, `recordings/${roomName}/contract.mp4`);
    expect(egressId).toMatch(/^EG_/);
    await egress.stopRecording(egressId);
    await rooms.deleteRoom(roomName);
  });
});
