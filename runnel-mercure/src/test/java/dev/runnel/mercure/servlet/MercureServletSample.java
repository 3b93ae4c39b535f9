package dev.runnel.mercure.servlet;

import dev.runnel.SseEngine;
import dev.runnel.hub.HubOptions;
import dev.runnel.mercure.MercureHub;
import dev.runnel.mercure.MercureOptions;
import dev.runnel.servlet.ServletSse;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;

/** The sample of docs/MERCURE.md: the hub registered in a Servlet container. Compiled; {@code MercureServletContract} runs the same setup. */
final class MercureServletSample {

    private MercureServletSample() {
    }

    static ServletSse register(ServletContext servletContext, String secret) {
        // docs:begin servlet
        SseEngine engine = SseEngine.builder().hub(HubOptions.DEFAULTS.withPublisherIds(true)).build();
        MercureHub hub = MercureHub.of(engine.hub(), MercureOptions.builder().jwt("HS256", secret).build());
        ServletSse sse = ServletSse.of(engine);

        ServletRegistration.Dynamic mercure = servletContext.addServlet("mercure", new MercureServlet(sse, hub));
        mercure.setAsyncSupported(true);              // required: a subscription outlives service()
        mercure.addMapping(MercureServlet.MAPPINGS);  // /.well-known/mercure and /.well-known/mercure/*
        // docs:end servlet
        return sse;
    }
}
