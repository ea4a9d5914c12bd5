package io.edfs.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.edfs.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/** One request and its response, in the blocking style the handlers are written in. */
final class Http {
  /** Most bytes of a JSON request body. */
  static final int MAX_JSON = 64 * 1024;

  final Request request;
  final Response response;
  private Fields query;

  Http(Request request, Response response) {
    this.request = request;
    this.response = response;
  }

  String method() {
    return request.getMethod();
  }

  String path() {
    return request.getHttpURI().getPath();
  }

  String header(HttpHeader h) {
    return request.getHeaders().get(h);
  }

  String header(String name) {
    return request.getHeaders().get(name);
  }

  Optional<String> param(String name) {
    if (query == null) {
      try {
        query = Request.extractQueryParameters(request);
      } catch (RuntimeException e) {
        throw UiError.badRequest("malformed query string");
      }
    }
    return Optional.ofNullable(query.getValue(name));
  }

  String requiredParam(String name) {
    return param(name).filter(v -> !v.isEmpty()).orElseThrow(() -> UiError.badRequest("missing parameter '" + name + "'"));
  }

  InputStream body() {
    return Content.Source.asInputStream(request);
  }

  /** The request's JSON object body. */
  JsonNode json() throws IOException {
    byte[] bytes = body().readNBytes(MAX_JSON + 1);
    if (bytes.length > MAX_JSON) {
      throw UiError.badRequest("request body too large");
    }
    try {
      JsonNode n = Json.mapper().readTree(bytes);
      if (n == null || !n.isObject()) {
        throw UiError.badRequest("expected a JSON object");
      }
      return n;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw UiError.badRequest("malformed JSON");
    }
  }

  static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw UiError.badRequest("missing '" + field + "'");
    }
    return v.asText();
  }

  void sendJson(int status, Object value) throws IOException {
    byte[] bytes = Json.mapper().writeValueAsBytes(value);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    Content.Sink.write(response, true, ByteBuffer.wrap(bytes));
  }

  void sendBytes(int status, String contentType, byte[] bytes) throws IOException {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    Content.Sink.write(response, true, ByteBuffer.wrap(bytes));
  }

  /** A blocking stream of the response body (headers must be set before the first write). */
  OutputStream out() {
    return Content.Sink.asOutputStream(response);
  }
}
