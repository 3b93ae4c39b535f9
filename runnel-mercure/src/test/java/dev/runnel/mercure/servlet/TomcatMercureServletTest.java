package dev.runnel.mercure.servlet;

import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

import java.nio.file.Files;
import java.util.Map;

/** {@link MercureServlet} in embedded Tomcat 11. */
class TomcatMercureServletTest extends MercureServletContract {

    @Override
    Running start(Map<String, MercureServlet> byContextPath) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("runnel-mercure-tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        // Tomcat refuses %2F in a path (400) unless told to pass it through, still encoded
        connector.setEncodedSolidusHandling("passthrough");
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        byContextPath.forEach((path, servlet) -> {
            StandardContext context = (StandardContext) tomcat.addContext(path, null);
            context.setClearReferencesThreadLocals(false); // leak detection needs --add-opens, and nothing is redeployed here
            context.setClearReferencesRmiTargets(false);
            Wrapper wrapper = Tomcat.addServlet(context, "mercure", servlet);
            wrapper.setAsyncSupported(true);
            for (String mapping : MercureServlet.MAPPINGS) {
                wrapper.addMapping(mapping);
            }
        });
        tomcat.start();
        return new Running(connector.getLocalPort(), () -> {
            tomcat.stop();
            tomcat.destroy();
        });
    }
}
