// Frame writes coalesced per tick: the first write in a tick corks the socket and a nextTick
// uncorks it, so N frames produced by one burst (e.g. a pipeline of calls) leave as one writev
// instead of N syscalls.
import type { Socket } from 'node:net';

export function writeCoalesced(socket: Socket, frame: Uint8Array): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(uncork, socket);
  }
  socket.write(frame);
}

function uncork(socket: Socket): void {
  // Several corks may have stacked if a caller corked too; release only ours.
  if (socket.writableCorked > 0) socket.uncork();
}
