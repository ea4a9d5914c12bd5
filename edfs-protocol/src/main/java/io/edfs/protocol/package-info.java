/**
 * REST v1 of edfs: the request and response records both sides exchange as JSON, and the
 * stable error types. Binary fields ({@code byte[]}) travel as base64; ids are UUIDs; times
 * are ISO-8601 instants. Fields documented as "nullable" may be absent or null in JSON.
 *
 * <p>Endpoints (all under {@code /v1}; all but prelogin, signup and login need
 * {@code Authorization: Bearer <token>}):
 *
 * <pre>
 * POST   /v1/prelogin                          PreloginRequest   -> PreloginResponse
 * POST   /v1/signup                            SignupRequest     -> SessionResponse (201)
 * POST   /v1/login                             LoginRequest      -> SessionResponse
 * POST   /v1/logout                                              -> 204
 * GET    /v1/account                                             -> Account
 * GET    /v1/users/{username}                                    -> UserInfo
 * POST   /v1/nodes                             CreateNodeRequest -> NodeInfo (201; 200 if the same id exists identically)
 * POST   /v1/batches/nodes                     CreateBatchRequest -> NodeList (up to 100 creates in one folder, all or none)
 * GET    /v1/nodes/{id}                                          -> NodeInfo
 * GET    /v1/nodes/{id}/children                                 -> NodeList
 * GET    /v1/nodes/{id}/children?name=B64URL                     -> NodeInfo (lookup by encrypted name)
 * PATCH  /v1/nodes/{id}                        MoveRequest       -> NodeInfo (rename and/or move)
 * DELETE /v1/nodes/{id}[?recursive=true]                         -> 204
 * POST   /v1/nodes/{id}/versions               CommitRequest     -> NodeInfo (idempotent by versionId)
 * GET    /v1/nodes/{id}/versions/{versionId}                     -> VersionInfo
 * GET    /v1/nodes/{id}/versions/{versionId}/blocks/{index}      -> application/octet-stream
 * POST   /v1/blocks/missing                    MissingBlocksRequest -> MissingBlocksResponse
 * PUT    /v1/blocks/{sha256hex}                application/octet-stream -> 204
 * GET    /v1/nodes/{id}/grants                                   -> GrantList (owner only)
 * PUT    /v1/nodes/{id}/grants/{granteeId}     GrantRequest      -> GrantInfo
 * DELETE /v1/nodes/{id}/grants/{granteeId}                       -> 204
 * GET    /v1/grants/given                                        -> GrantList (grants I gave)
 * GET    /v1/grants/received                                     -> GrantList (grants given to me)
 * </pre>
 *
 * Errors are RFC 9457 {@code application/problem+json} bodies ({@link Problem}) whose
 * {@code type} is one of {@link ErrorType}.
 */
package io.edfs.protocol;
