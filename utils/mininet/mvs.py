"""Mininet switch class for mvs, the OpenFlow 1.3 switch with an MPLS
userspace datapath.

From the command line:

    mn --custom utils/mininet/mvs.py --switch mvs --controller remote
    mn --custom utils/mininet/mvs.py --switch mvs --controller none \\
       --test pingall              # no controller: standalone learning

From the Python API:

    import sys; sys.path.insert(0, 'utils/mininet')
    from mvs import MVSSwitch
    net = Mininet(topo=..., switch=MVSSwitch, controller=RemoteController)

Each switch is one `mvsd` process (`--bridge NAME`), started in the
switch's namespace (the root namespace, as Mininet runs switches by
default), with every data interface as `--port IF=OFPORT` (Mininet's port
numbers), `--datapath-id` from the switch's dpid, one `--controller` per
controller, `--listen ptcp:PORT:127.0.0.1` when the switch has a
listenPort, and a private run directory made with mkdtemp
(/tmp/mvs-mininet-PID-NAME.XXXX/) holding its sockets, pidfile and log.
stop() kills exactly that mvsd, by the PID its pidfile gave at start,
after checking /proc that the process is still that mvsd; it never kills
by name.  Then the run directory is removed.

Parameters (also as `--switch mvs,param=value`):
  failMode    'secure' or 'standalone'.  Default: standalone when the
              network has no controller (so `--controller none` forwards
              by MAC learning), else secure, as Open vSwitch's default.
  protocols   accepted for compatibility with OVSSwitch; mvsd always
              offers OpenFlow 1.3 first, then 1.0-1.2.
  offload     mvsd's --offload: auto, off or require (default: mvsd's).
  logFile     where mvsd logs (default: in the run directory, removed by
              stop(); give a path to keep the log).
  verbose     mvsd -v spec, e.g. 'ofproto:dbg'.
  opts        extra mvsd options (a string, split like a shell would).

Binaries: $MVSD / $MVS_OFCTL / $MVS_APPCTL if set, else the ones built
next to this file (utils/mvsd when run from a build tree), else PATH.
"""

import os
import shlex
import shutil
import signal
import sys
import tempfile
import time
from subprocess import DEVNULL, PIPE

from mininet.log import debug, info, warn
from mininet.node import Switch
from mininet.util import decode


# `mn --custom` exec()s this file without __file__; the code object still
# knows where it came from.
_HERE = os.path.dirname( os.path.abspath(
    globals().get( '__file__' ) or sys._getframe().f_code.co_filename ) )


def _findTool( name, env ):
    "The path of an mvs tool: $env, the build tree, or PATH."
    path = os.environ.get( env )
    if path:
        return os.path.abspath( path )
    built = os.path.join( os.path.dirname( _HERE ), name )
    if os.path.isfile( built ) and os.access( built, os.X_OK ):
        return built
    found = shutil.which( name )
    return found or name


class MVSSwitch( Switch ):
    "An mvs switch: one mvsd process per Mininet switch."

    dpidLen = 16

    def __init__( self, name, failMode=None, protocols=None, offload=None,
                  logFile=None, verbose=None, **params ):
        Switch.__init__( self, name, **params )
        if failMode not in ( None, 'secure', 'standalone' ):
            raise Exception( '%s: failMode must be secure or standalone,'
                             ' not %r' % ( name, failMode ) )
        self.failMode = failMode
        self.protocols = protocols
        self.offload = offload
        self.logFile = logFile
        self.verbose = verbose
        self.rundir = None
        self.mvsdPid = None
        self.nControllers = 0
        self.mvsd = _findTool( 'mvsd', 'MVSD' )
        self.ofctl = _findTool( 'mvs-ofctl', 'MVS_OFCTL' )
        self.appctl = _findTool( 'mvs-appctl', 'MVS_APPCTL' )

    @classmethod
    def setup( cls ):
        "Check that mvsd can be run."
        mvsd = _findTool( 'mvsd', 'MVSD' )
        if not ( os.path.isfile( mvsd ) and os.access( mvsd, os.X_OK ) ):
            raise Exception( 'mvsd not found (build mvs, put mvsd on PATH '
                             'or set MVSD=/path/to/mvsd)' )

    # Paths in the private run directory.

    def _path( self, suffix ):
        return os.path.join( self.rundir, self.name + suffix )

    def mgmtTarget( self ):
        "The switch's always-present OpenFlow management socket."
        return 'unix:' + self._path( '.mgmt' )

    def ctlSocket( self ):
        "The switch's unixctl socket, for mvs-appctl -t."
        return self._path( '.ctl' )

    def _logPath( self ):
        return self.logFile or self._path( '.log' )

    def _intfArgs( self ):
        "--port IF=OFPORT for every data interface (not lo/control)."
        args = []
        for intf in self.intfList():
            port = self.ports[ intf ]
            if port and not intf.IP():
                args += [ '--port', '%s=%d' % ( intf.name, port ) ]
        return args

    def start( self, controllers ):
        "Start one mvsd for this switch; raise if it does not come up."
        self.nControllers = len( controllers )
        failMode = self.failMode
        if failMode is None:
            failMode = 'secure' if controllers else 'standalone'
        self.rundir = tempfile.mkdtemp(
            prefix='mvs-mininet-%d-%s.' % ( os.getpid(), self.name ) )
        args = [ self.mvsd, '--bridge', self.name,
                 '--datapath-id', self.dpid,
                 '--fail-mode', failMode,
                 '--rundir', self.rundir,
                 '--pidfile=' + self._path( '.pid' ),
                 '--log-file=' + self._logPath(),
                 '--detach' ]
        args += self._intfArgs()
        for c in controllers:
            args += [ '--controller', '%s:%s:%d' % (
                getattr( c, 'protocol', 'tcp' ), c.IP(), c.port ) ]
        if self.listenPort:
            args += [ '--listen', 'ptcp:%d:127.0.0.1' % self.listenPort ]
        if self.offload:
            args += [ '--offload', self.offload ]
        if self.verbose:
            args += [ '-v' + self.verbose ]
        if self.opts:
            args += shlex.split( self.opts )
        debug( '%s: %s\n' % ( self.name, ' '.join( args ) ) )
        # --detach: the foreground process exits once the bridge is ready,
        # with mvsd's startup error status if it is not.
        popen = self.popen( args, stdin=DEVNULL, stdout=PIPE, stderr=PIPE )
        try:
            out, err = popen.communicate()
        except BaseException:
            # Interrupted (Ctrl-C, or SIGTERM made an exception): let the
            # foreground mvsd finish, then stop the daemon it made.
            self._abortStart( popen )
            raise
        out, err = decode( out ), decode( err )
        if popen.returncode != 0:
            logtail = self._readLog()
            self._killMvsd()
            self._removeRundir()
            raise Exception( '%s: mvsd exited with status %d:\n%s%s%s' % (
                self.name, popen.returncode, out, err, logtail ) )
        self.mvsdPid = self._readPid()
        if not self.mvsdPid:
            raise Exception( '%s: no pidfile from mvsd in %s' % (
                self.name, self.rundir ) )
        info( '(mvsd pid %d) ' % self.mvsdPid )

    def _readPid( self ):
        "The PID in our mvsd's pidfile, or None."
        if not self.rundir:
            return None
        try:
            with open( self._path( '.pid' ) ) as f:
                return int( f.read().strip() )
        except ( IOError, ValueError ):
            return None

    def _abortStart( self, popen ):
        "Clean up after an interrupted start()."
        try:
            popen.wait( timeout=15 )
        except BaseException:  # pylint: disable=broad-except
            try:
                popen.kill()
                popen.wait( timeout=5 )
            except BaseException:  # pylint: disable=broad-except
                pass
        self._killMvsd()
        self._removeRundir()

    def _readLog( self, lines=20 ):
        try:
            with open( self._logPath() ) as f:
                return ''.join( f.readlines()[ -lines: ] )
        except IOError:
            return ''

    def _isOurMvsd( self, pid ):
        """Is PID still the mvsd we started?  Its command line names our
           run directory, a fresh mkdtemp() path nothing else uses."""
        try:
            with open( '/proc/%d/cmdline' % pid, 'rb' ) as f:
                argv = f.read().split( b'\0' )
        except IOError:
            return False
        return self.rundir is not None and self.rundir.encode() in argv

    def _waitGone( self, pid, timeout ):
        "Wait up to TIMEOUT seconds for our mvsd PID to exit."
        deadline = time.time() + timeout
        while self._isOurMvsd( pid ):
            if time.time() >= deadline:
                return False
            time.sleep( 0.05 )
        return True

    def _killMvsd( self ):
        """Stop our mvsd: `mvs-appctl exit` first (a clean exit, which
           also removes its nf_tables table), then SIGTERM, then SIGKILL,
           always to the PID our pidfile gave.  Never by name."""
        pid = self.mvsdPid or self._readPid()
        self.mvsdPid = None
        if not pid:
            return
        if not self._isOurMvsd( pid ):
            return
        self.appctl_( '-T', '2', 'exit' )
        if self._waitGone( pid, 3 ):
            return
        for sig in ( signal.SIGTERM, signal.SIGKILL ):
            warn( '%s: mvsd %d still running; sending %s\n' % (
                self.name, pid, sig.name ) )
            try:
                os.kill( pid, sig )
            except OSError:
                break
            if self._waitGone( pid, 3 ):
                break
        # SIGKILL (or SIGTERM to an mvsd older than its fatal-signal
        # hook) leaves its nf_tables table behind (table netdev mvs-NAME,
        # made by this very process): remove it, if it is there.
        if self.offload != 'off':
            self.pexec( [ 'nft', 'delete', 'table', 'netdev',
                          'mvs-' + self.name ] )

    def _removeRundir( self ):
        if self.rundir:
            shutil.rmtree( self.rundir, ignore_errors=True )
            self.rundir = None

    def stop( self, deleteIntfs=True ):
        "Stop our mvsd, remove its run directory, delete interfaces."
        self._killMvsd()
        self._removeRundir()
        super( MVSSwitch, self ).stop( deleteIntfs )

    def connected( self ):
        """Connected to at least one controller?  A switch without
           controllers, or in standalone mode, forwards by itself."""
        if not self.mvsdPid:
            return False
        if self.nControllers == 0 or self.failMode == 'standalone':
            return True
        out = self.appctl_( 'dpctl/show' )
        return any( line.startswith( 'controller:' ) and
                    ', connected,' in line
                    for line in out.splitlines() )

    def appctl_( self, *args ):
        "Run mvs-appctl against this switch; return its output."
        if not self.rundir:
            return ''
        out, err, _code = self.pexec(
            [ self.appctl, '-t', self.ctlSocket() ] + list( args ) )
        return out + err

    def dpctl( self, *args ):
        """Run mvs-ofctl (ovs-ofctl syntax): dpctl('dump-flows') runs
           mvs-ofctl dump-flows <this switch>.  Leading options are kept
           in front: dpctl('--names', 'dump-flows')."""
        if not self.rundir:
            return 'switch %s is not running\n' % self.name
        args = list( args )
        opts = []
        while args and args[ 0 ].startswith( '-' ):
            opts.append( args.pop( 0 ) )
        if not args:
            return 'usage: dpctl [OPTIONS] COMMAND [ARG...]\n'
        cmd = args.pop( 0 )
        argv = ( [ self.ofctl ] + opts + [ cmd, self.mgmtTarget() ] +
                 args )
        return self.cmd( ' '.join( shlex.quote( a ) for a in argv ) )

    def attach( self, intf ):
        "Add a data port to the running switch (net.addLink at runtime)."
        port = self.ports.get( intf ) if not isinstance( intf, str ) \
            else None
        name = str( intf )
        spec = '%s=%d' % ( name, port ) if port else name
        out = self.appctl_( 'port/add', self.name, spec )
        if out.strip():
            debug( '%s: port/add %s: %s\n' % ( self.name, spec, out ) )

    def detach( self, intf ):
        "Remove a data port from the running switch."
        out = self.appctl_( 'port/del', self.name, str( intf ) )
        if out.strip():
            debug( '%s: port/del %s: %s\n' % ( self.name, intf, out ) )


# For `mn --custom utils/mininet/mvs.py --switch mvs`.
switches = { 'mvs': MVSSwitch }

__all__ = [ 'MVSSwitch', 'switches' ]
