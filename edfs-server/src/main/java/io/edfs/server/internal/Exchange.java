package io.edfs.server.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.edfs.protocol.Json;
import io.edfs.protocol.Problem;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Fields;

/**
 * One request and its response, for endpoints written as plain blocking code (they run on virtual
 * threads). Reads bounded JSON bodies, writes JSON, problems and streams. Not thread-safe: one per
 * request.
 */
final class Exchange {
  static final String JSON = "application/json";
  static final String PROBLEM_JSON = "application/problem+json";
  /**
   * Piece size for streamed responses and discarded bodies. Each blocking write hands the piece to
   * Jetty, which encrypts it as TLS records and waits until the socket took it all: 256 KiB per
   * round trip instead of 64 KiB quarters those hand-overs for a 4 MiB block.
   */
  private static final int STREAM_BUFFER = 256 << 10;

  /** The request body could not be read: the client went away or broke the framing. */
  static final class BodyReadException extends IOException {
    BodyReadException(IOException cause) {
      super("request body could not be read: " + cause.getMessage(), cause);
    }
  }

  private final Request request;
  private final Response response;
  private List<String> params = List.of();
  private Accounts.Session session;
  private Fields query;
  private int status = 0;
  private boolean bodyOpened;

  Exchange(Request request, Response response) {
    this.request = request;
    this.response = response;
  }

  void params(List<String> params) {
    this.params = params;
  }

  void session(Accounts.Session session) {
    this.session = session;
  }

  Accounts.Session session() {
    return session;
  }

  /** The authenticated caller. */
  UUID user() {
    return session.userId();
  }

  /** The status sent, or 0 if nothing was sent yet. */
  int status() {
    return status;
  }

  boolean committed() {
    return response.isCommitted();
  }

  String param(int index) {
    return params.get(index);
  }

  UUID uuidParam(int index, String name) {
    return Checks.uuid(params.get(index), name);
  }

  int indexParam(int index, String name) {
    String s = params.get(index);
    if (s.length() > 9 || !s.chars().allMatch(Character::isDigit)) {
      throw ApiException.badRequest(name + " must be a non-negative integer");
    }
    return Integer.parseInt(s);
  }

  Optional<String> query(String name) {
    if (query == null) {
      query = Request.extractQueryParameters(request);
    }
    return Optional.ofNullable(query.getValue(name));
  }

  Optional<String> header(HttpHeader header) {
    return Optional.ofNullable(request.getHeaders().get(header));
  }

  /**
   * The request's idempotency key ({@link RequestKeys#HEADER}), checked; empty when the client
   * sent none (it then gets no protection against its own retries, as before keys existed).
   */
  Optional<String> requestKey() {
    return Optional.ofNullable(request.getHeaders().get(RequestKeys.HEADER)).map(RequestKeys::check);
  }

  String clientAddress() {
    return Request.getRemoteAddr(request);
  }

  /** The declared Content-Length, or -1 when the body is chunked or absent. */
  long contentLength() {
    return request.getLength();
  }

  /** The body as a stream whose read failures are {@link BodyReadException}s. */
  InputStream body() {
    bodyOpened = true;
    return new FilterInputStream(Content.Source.asInputStream(request)) {
      @Override
      public int read() throws IOException {
        try {
          return super.read();
        } catch (IOException e) {
          throw new BodyReadException(e);
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return super.read(b, off, len);
        } catch (IOException e) {
          throw new BodyReadException(e);
        }
      }
    };
  }

  /**
   * Reads and drops what is left of the request body, up to {@code max} bytes, so the connection
   * can carry the next request; answering while a client still sends would reset it.
   */
  void discardRemainingBody(long max) {
    long declared = contentLength();
    if (declared == 0 || declared > max) {
      return;
    }
    if (!bodyOpened && request.getHeaders().contains(HttpHeader.EXPECT, "100-continue")) {
      return; // we never asked for the body, so the client will not send it
    }
    try (InputStream in = body()) {
      byte[] buf = new byte[STREAM_BUFFER];
      long left = max;
      int n;
      while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) >= 0) {
        left -= n;
      }
    } catch (IOException e) {
      // the client is gone or the framing is broken: the connection closes anyway
    }
  }

  /** Reads a JSON body of at most {@link Checks#MAX_JSON_BYTES} into {@code type}. */
  <T> T json(Class<T> type) throws IOException {
    return json(type, Checks.MAX_JSON_BYTES);
  }

  /** Reads a JSON body of at most {@code maxBytes} into {@code type}. */
  <T> T json(Class<T> type, int maxBytes) throws IOException {
    long declared = contentLength();
    if (declared > maxBytes) {
      throw tooLarge(declared, maxBytes);
    }
    byte[] bytes;
    try (InputStream in = body()) {
      bytes = in.readNBytes(maxBytes + 1);
    }
    if (bytes.length > maxBytes) {
      throw tooLarge(bytes.length, maxBytes);
    }
    T value;
    try {
      value = bytes.length == 0 ? null : Json.mapper().readValue(bytes, type);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(describe(e));
    }
    if (value == null) {
      throw ApiException.badRequest("the request body must be a JSON object");
    }
    return value;
  }

  void respond(int status, Object body) throws IOException {
    byte[] bytes = Json.mapper().writeValueAsBytes(body);
    send(status, JSON, bytes, Map.of());
  }

  void noContent() {
    response.setStatus(204);
    status = 204;
  }

  void problem(Problem problem, Map<String, String> headers) throws IOException {
    send(problem.status(), PROBLEM_JSON, Json.mapper().writeValueAsBytes(problem), headers);
  }

  /** Streams {@code length} bytes of {@code in} as application/octet-stream. */
  void stream(int status, long length, Map<String, String> headers, InputStream in)
      throws IOException {
    response.setStatus(status);
    this.status = status;
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
    headers.forEach(response.getHeaders()::put);
    byte[] buf = new byte[STREAM_BUFFER];
    long left = length;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException("stored block is shorter than recorded: " + left + " bytes short");
      }
      // blocking write: buf may be reused once it returns
      Content.Sink.write(response, false, ByteBuffer.wrap(buf, 0, n));
      left -= n;
    }
    Content.Sink.write(response, true, BufferUtil.EMPTY_BUFFER);
  }

  private void send(int status, String contentType, byte[] bytes, Map<String, String> headers)
      throws IOException {
    response.setStatus(status);
    this.status = status;
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    headers.forEach(response.getHeaders()::put);
    Content.Sink.write(response, true, ByteBuffer.wrap(bytes));
  }

  private static ApiException tooLarge(long size, int maxBytes) {
    return ApiException.tooLarge("a JSON request body here has at most " + maxBytes + " bytes, got " + size);
  }

  /** A clear message that never echoes values from the body (they may be keys). */
  static String describe(JsonProcessingException e) {
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      String path = path(m.getPath());
      if (m instanceof InvalidFormatException f) {
        return "invalid value at " + path + " (expected " + typeName(f.getTargetType()) + ")";
      }
      if (m instanceof MismatchedInputException mi && mi.getTargetType() != null) {
        return "wrong type at " + path + " (expected " + typeName(mi.getTargetType()) + ")";
      }
      return "invalid value at " + path;
    }
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    if (e instanceof MismatchedInputException mi && mi.getTargetType() != null) {
      return "the request body must be a JSON object (" + typeName(mi.getTargetType()) + ")";
    }
    return "malformed JSON" + where;
  }

  private static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder sb = new StringBuilder("$");
    for (JsonMappingException.Reference ref : refs) {
      if (ref.getFieldName() != null) {
        sb.append('.').append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String typeName(Class<?> type) {
    if (type == null) {
      return "another type";
    }
    if (type == byte[].class) {
      return "base64 string";
    }
    if (type == UUID.class) {
      return "UUID";
    }
    if (type.isEnum()) {
      return "one of " + java.util.Arrays.toString(type.getEnumConstants());
    }
    if (type == List.class) {
      return "array";
    }
    if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
      return type == int.class || type == Integer.class || type == long.class || type == Long.class
          ? "integer"
          : "number";
    }
    if (type == String.class) {
      return "string";
    }
    if (type.isRecord()) {
      return "object";
    }
    return type.getSimpleName();
  }
}
