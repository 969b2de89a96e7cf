/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsk: the provider dispatch tables (WSK_PROVIDER_*_DISPATCH), for code
 * ported from Windows that calls through a socket's table
 * (s->dispatch) rather than the functions themselves. Every member is the
 * exported function of the same name, documented in <wsk/wsk.h>, which
 * includes this file: clients include <wsk/wsk.h> only.
 */
#ifndef _WSK_DISPATCH_H
#define _WSK_DISPATCH_H

#ifndef _WSK_WSK_H
#error "include <wsk/wsk.h>, not <wsk/dispatch.h>"
#endif

/**
 * struct wsk_provider_basic_dispatch - members common to every category
 * @control: wsk_control()
 * @close: wsk_close()
 */
struct wsk_provider_basic_dispatch {
	int (*control)(struct wsk_socket *s, enum wsk_control_type type, u32 code, int level,
		       size_t in_size, const void *in, size_t out_size, void *out,
		       size_t *out_returned, struct wsk_req *req);
	int (*close)(struct wsk_socket *s, struct wsk_req *req);
};

/**
 * struct wsk_provider_listen_dispatch - a listen socket's provider table
 * @basic: control and close
 * @bind: wsk_bind()
 * @accept: wsk_accept()
 * @inspect_complete: wsk_inspect_complete()
 * @get_local_address: wsk_get_local_address()
 */
struct wsk_provider_listen_dispatch {
	struct wsk_provider_basic_dispatch basic;
	int (*bind)(struct wsk_socket *s, const struct sockaddr *addr, int addrlen,
		    unsigned int flags, struct wsk_req *req);
	int (*accept)(struct wsk_socket *listen, unsigned int flags, void *accept_socket_context,
		      const struct wsk_client_connection_dispatch *accept_socket_dispatch,
		      struct sockaddr_storage *local, struct sockaddr_storage *remote,
		      struct wsk_req *req);
	int (*inspect_complete)(struct wsk_socket *listen, const struct wsk_inspect_id *id,
				enum wsk_inspect_action action, struct wsk_req *req);
	int (*get_local_address)(struct wsk_socket *s, struct sockaddr_storage *addr,
				 struct wsk_req *req);
};

/**
 * struct wsk_provider_connection_dispatch - a connection socket's provider table
 * @basic: control and close
 * @bind: wsk_bind()
 * @connect: wsk_connect()
 * @get_local_address: wsk_get_local_address()
 * @get_remote_address: wsk_get_remote_address()
 * @send: wsk_send()
 * @receive: wsk_receive()
 * @disconnect: wsk_disconnect()
 * @release: wsk_release()
 */
struct wsk_provider_connection_dispatch {
	struct wsk_provider_basic_dispatch basic;
	int (*bind)(struct wsk_socket *s, const struct sockaddr *addr, int addrlen,
		    unsigned int flags, struct wsk_req *req);
	int (*connect)(struct wsk_socket *s, const struct sockaddr *remote, int addrlen,
		       unsigned int flags, struct wsk_req *req);
	int (*get_local_address)(struct wsk_socket *s, struct sockaddr_storage *addr,
				 struct wsk_req *req);
	int (*get_remote_address)(struct wsk_socket *s, struct sockaddr_storage *addr,
				  struct wsk_req *req);
	int (*send)(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		    struct wsk_req *req);
	int (*receive)(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		       struct wsk_req *req);
	int (*disconnect)(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
			  struct wsk_req *req);
	int (*release)(struct wsk_socket *s, struct wsk_data_indication *chain);
};

/**
 * struct wsk_provider_dispatch - the client-level table (WSK_PROVIDER_DISPATCH)
 * @socket: wsk_socket()
 * @socket_connect: wsk_socket_connect()
 * @control_client: wsk_control_client()
 *
 * What wsk_provider() returns: WskCaptureProviderNPI's Dispatch, for ported
 * code that calls Dispatch->WskSocket(...). wsk has no WskSocketConnect
 * variant for datagram sockets and no WskGetAddressInfo.
 */
struct wsk_provider_dispatch {
	int (*socket)(struct wsk_client *client, struct net *net, int family, unsigned int flags,
		      void *socket_context, const void *client_dispatch, struct wsk_req *req);
	int (*socket_connect)(struct wsk_client *client, struct net *net, int family,
			      const struct sockaddr *local, const struct sockaddr *remote,
			      int addrlen, unsigned int flags, void *socket_context,
			      const struct wsk_client_connection_dispatch *client_dispatch,
			      struct wsk_req *req);
	int (*control_client)(struct wsk_client *client, u32 code, size_t in_size, const void *in,
			      size_t out_size, void *out, size_t *out_returned);
};

const struct wsk_provider_dispatch *wsk_provider(struct wsk_client *client);

#endif /* _WSK_DISPATCH_H */
