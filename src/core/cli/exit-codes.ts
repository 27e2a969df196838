// Exit codes of Consul's CLI (mitchellh/cli + command/*). Anything not listed is 1.
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
/** `consul members` with no member matching, and a few "nothing found" cases. */
export const EXIT_NO_MATCH = 2;
/** mitchellh/cli: the subcommand does not exist. */
export const EXIT_UNKNOWN_COMMAND = 127;
