// Prepared queries as Consul stores and returns them (agent/structs/prepared_query.go): field names
// and the JSON shape of /v1/query are Consul's.

export interface QueryTemplateOptions {
  Type: string;
  Regexp: string;
  RemoveEmptyTags: boolean;
}

export interface QueryFailoverOptions {
  NearestN: number;
  Datacenters: string[] | null;
}

export interface ServiceQuery {
  Service: string;
  Failover: QueryFailoverOptions;
  OnlyPassing: boolean;
  IgnoreCheckIDs: string[] | null;
  Near: string;
  Tags: string[] | null;
  NodeMeta: Record<string, string> | null;
  ServiceMeta: Record<string, string> | null;
  Connect: { Enabled: boolean };
}

export interface PreparedQuery {
  ID: string;
  Name: string;
  Session: string;
  Token: string;
  Template: QueryTemplateOptions;
  Service: ServiceQuery;
  DNS: { TTL: string };
  CreateIndex: number;
  ModifyIndex: number;
}

/** Consul: structs.QueryTemplateTypeNamePrefixMatch. */
export const TEMPLATE_NAME_PREFIX_MATCH = 'name_prefix_match';

export function isTemplate(q: PreparedQuery): boolean {
  return q.Template.Type !== '';
}

/** Consul: structs.ErrQueryNotFound (the HTTP layer answers 404 with it). */
export const QUERY_NOT_FOUND = 'Query not found';
