/**
 * The most commands a scenario scripts. Every flip of a switch simulates the session again and
 * redraws it on the main thread, and that grows with the transfers: at 20 a flip is a long task of
 * several hundred ms (issue 11 item 15, not yet met: the network view and the ladder rebuild
 * their elements for each new trace instead of updating them). The limit stays at 20 so that
 * links made before keep opening; `npm run bench` prints `max_share_flip_longtask_ms` at it.
 */
export const MAX_COMMANDS = 20;
