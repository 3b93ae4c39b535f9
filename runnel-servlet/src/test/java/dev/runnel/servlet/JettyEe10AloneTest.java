package dev.runnel.servlet;

/** Embedded Jetty 12 EE10 with the Servlet API and no Tomcat: surefire execution {@code jetty-ee10-alone}. */
class JettyEe10AloneTest extends OneContainerContract {

    @Override
    Container container() {
        return Container.JETTY;
    }

    @Override
    String presentClass() {
        return "org.eclipse.jetty.ee10.servlet.ServletContextRequest";
    }

    @Override
    String absentClass() {
        return "org.apache.coyote.AbstractProcessor";
    }
}
