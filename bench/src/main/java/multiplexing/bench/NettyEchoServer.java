package multiplexing.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;

/**
 * The reference row: Netty's echo server on the NIO transport with one event-loop thread, the same
 * one thread and one Selector as our steps, and the same log lines.
 */
public final class NettyEchoServer {
  private NettyEchoServer() {}

  /** Echoes what it reads; stops reading a client while that client's echo cannot be sent. */
  @Sharable
  static final class EchoHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      System.out.println("accepted " + describe(ctx.channel().remoteAddress()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg);
    }

    // One flush per batch of reads: Netty's answer to a syscall per message.
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    // Netty's water marks (32 to 64 KiB of pending output) bound what we hold, like steps 5 to 7.
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      System.out.println("closed by peer " + describe(ctx.channel().remoteAddress()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      System.out.println("reset by peer " + describe(ctx.channel().remoteAddress()));
      ctx.close();
    }
  }

  private static String describe(Object address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress() + ":" + inet.getPort();
    }
    return String.valueOf(address);
  }

  /** {@code NettyEchoServer [port]}: port 0, the default, picks any free port. */
  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    // One thread does everything, accepting included: the same budget as our servers.
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    Channel listener =
        new ServerBootstrap()
            .group(loop)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new EchoHandler())
            .bind("127.0.0.1", port)
            .sync()
            .channel();
    System.out.println("listening on " + describe(listener.localAddress()));
    listener.closeFuture().sync();
  }
}
