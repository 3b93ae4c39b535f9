package dev.runnel.servlet;

import dev.runnel.SseEngine;
import jakarta.servlet.http.HttpServlet;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

import java.nio.file.Files;

/** Embedded Tomcat 11 for {@link Container#TOMCAT}; the only test class that links Tomcat's. */
final class EmbeddedTomcat {

    private EmbeddedTomcat() {
    }

    static Container.Running start(SseEngine engine, HttpServlet servlet, Container.Options options) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("runnel-tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        if (options.timeouts() != null) {
            String millis = Long.toString(options.timeouts().toMillis());
            connector.setProperty("connectionTimeout", millis);
            connector.setProperty("keepAliveTimeout", millis);
            connector.setAsyncTimeout(options.timeouts().toMillis());
        }
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        StandardContext context = (StandardContext) tomcat.addContext("", null);
        context.setClearReferencesThreadLocals(false); // leak detection needs --add-opens, and nothing is redeployed here
        context.setClearReferencesRmiTargets(false);
        Wrapper wrapper = Tomcat.addServlet(context, "runnel", servlet);
        wrapper.setAsyncSupported(options.asyncSupported());
        wrapper.addMapping("/stream");
        tomcat.start();
        return new Container.Running(engine, connector.getLocalPort(), () -> {
            tomcat.stop();
            tomcat.destroy();
        });
    }
}
