package io.edfs.tests3;

import java.io.IOException;
import java.io.InputStream;

/**
 * Runs S3Proxy in the process {@link S3Server} starts, and ends that process when its standard
 * input closes: the test JVM that started it died without stopping it.
 */
public final class S3ProxyMain {
  private S3ProxyMain() {}

  public static void main(String[] args) throws Exception {
    Thread watch =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // nothing is sent; only the end matters
                }
              } catch (IOException e) {
                // the pipe broke: the parent is gone all the same
              }
              Runtime.getRuntime().halt(0);
            },
            "parent-watch");
    watch.setDaemon(true);
    watch.start();
    // S3Proxy is not on this module's compile class path (it must not reach test class paths)
    Class.forName("org.gaul.s3proxy.Main").getMethod("main", String[].class).invoke(null, (Object) args);
  }
}
