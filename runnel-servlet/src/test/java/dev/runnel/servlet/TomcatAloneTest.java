package dev.runnel.servlet;

/** Embedded Tomcat 11 and no Jetty: surefire execution {@code tomcat-alone}. */
class TomcatAloneTest extends OneContainerContract {

    @Override
    Container container() {
        return Container.TOMCAT;
    }

    @Override
    String presentClass() {
        return "org.apache.coyote.AbstractProcessor";
    }

    @Override
    String absentClass() {
        return "org.eclipse.jetty.ee10.servlet.ServletContextRequest";
    }
}
