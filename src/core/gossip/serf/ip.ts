// serf puts IPs on the wire exactly as memberlist does: one implementation (../wire/ip.ts).
export { bytesToIp, ipToBytes } from '../wire/ip.js';
