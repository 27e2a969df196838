// Types for the two undici internals the CLI loads directly. Importing only the HTTP/1 Client and
// the `request` method (instead of the whole package) saves ~45 ms of CLI start-up; see
// bench/cli-startup.mjs. The shapes are undici's own public ones.
declare module 'undici/lib/dispatcher/client.js' {
  import type { Client } from 'undici';
  const ClientCtor: typeof Client;
  export default ClientCtor;
}

declare module 'undici/lib/dispatcher/dispatcher.js' {
  import type { Dispatcher } from 'undici';
  const DispatcherCtor: typeof Dispatcher;
  export default DispatcherCtor;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  const request: Dispatcher['request'];
  export default request;
}

declare module 'undici/lib/core/connect.js' {
  import type { buildConnector } from 'undici';
  const build: typeof buildConnector;
  export default build;
}
