/**
 * The media server port for recordings: start a composite recording of a room and stop it. The LiveKit adapter
 * (`egress.ts`) implements it over Egress; tests may install their own implementation on `ctx.egress`.
 */
export interface StartedEgress {
  egressId: string;
}

export interface EgressPort {
  /** Starts recording every track of the media room `roomName` into `filepath` (as seen by the egress service). */
  startRoomRecording(roomName: string, filepath: string): Promise<StartedEgress>;
  stopRecording(egressId: string): Promise<void>;
}
