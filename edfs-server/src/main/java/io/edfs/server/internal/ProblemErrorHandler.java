package io.edfs.server.internal;

import io.edfs.protocol.ErrorType;
import io.edfs.protocol.Json;
import io.edfs.protocol.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/** Errors Jetty produces itself (malformed HTTP, oversized headers) as problem+json too. */
final class ProblemErrorHandler extends ErrorHandler {
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Exchange.PROBLEM_JSON);
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
  }

  private static byte[] body(int code, String message) {
    ErrorType type = Problems.forStatus(code);
    try {
      return Json.mapper()
          .writeValueAsBytes(
              new Problem(
                  type.slug(), type.title(), code, message == null ? type.title() : message, null));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
